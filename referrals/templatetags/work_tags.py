"""Template helpers for contacts and pathways; they read prefetched rows only."""

import zoneinfo

from django import template
from django.utils import timezone

from referrals import access
from referrals.models import Pathway

register = template.Library()

PATHWAY_COLORS = {
    Pathway.Status.OPEN: ("primary", ""),
    Pathway.Status.COMPLETED: ("warning", "text-dark"),
    Pathway.Status.INCOMPLETE: ("secondary", ""),
    Pathway.Status.APPROVED: ("success", ""),
}


@register.inclusion_tag("partials/status_badge.html")
def pathway_badge(pathway):
    color, text = PATHWAY_COLORS.get(pathway.status, ("secondary", ""))
    return {"label": pathway.get_status_display(), "color": color, "text": text}


@register.simple_tag
def minutes_this_month(referral):
    """Navigator minutes logged on the referral this calendar month, counted in
    the partnership's time zone (the month Community Health Integration bills)."""
    zone = zoneinfo.ZoneInfo(referral.partnership.time_zone)
    today = timezone.localtime(timezone=zone)
    total = 0
    for encounter in referral.encounters.all():
        when = timezone.localtime(encounter.occurred_at, timezone=zone)
        if (when.year, when.month) == (today.year, today.month):
            total += encounter.minutes
    return total


@register.filter
def steps_done(pathway) -> int:
    return sum(1 for step in pathway.steps.all() if step.done_at)


@register.filter
def sees_contact_notes(user) -> bool:
    return access.sees_contact_notes(user)
