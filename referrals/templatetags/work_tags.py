"""Template helpers for contacts and pathways; they read prefetched rows only."""

import zoneinfo

from django import template
from django.utils import timezone

from referrals import access
from referrals.models import Pathway
from referrals.pathways import step_text
from referrals.templatetags.referral_tags import badge

register = template.Library()

PATHWAY_COLORS = {
    Pathway.Status.OPEN: ("primary", False),
    Pathway.Status.COMPLETED: ("warning", True),
    Pathway.Status.INCOMPLETE: ("secondary", False),
    Pathway.Status.APPROVED: ("success", False),
}


@register.simple_tag
def pathway_badge(pathway):
    color, dark_text = PATHWAY_COLORS.get(pathway.status, ("secondary", False))
    return badge(pathway.get_status_display(), color, dark_text)


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
def step_title(step) -> str:
    return step_text(key=step.key, title=step.title)


@register.filter
def steps_done(pathway) -> int:
    return sum(1 for step in pathway.steps.all() if step.done_at)


@register.filter
def sees_contact_notes(user) -> bool:
    return access.sees_contact_notes(user)
