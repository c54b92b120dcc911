from django import template
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chwlink.lib.choices import labels_of
from partners.languages import LANGUAGE_NAMES
from partners.pathway_kinds import PathwayKind
from referrals import nearby
from referrals.choices import MedicalReason, ResourceStatus, SocialNeed
from referrals.finding import OverdueStep
from referrals.models import WEEKDAYS, Referral
from referrals.pathways import step_text
from referrals.services.notifications import notification_text, notification_title
from referrals.timeline import describe_event, reason_label

register = template.Library()

Status = Referral.Status
STATUS_COLORS = {
    Status.DRAFT: "secondary",
    Status.SUBMITTED: "warning",
    Status.ACCEPTED: "info",
    Status.ASSIGNED: "info",
    Status.IN_PROGRESS: "primary",
    Status.ON_HOLD: "secondary",
    Status.COMPLETED: "success",
    Status.UNABLE_TO_COMPLETE: "dark",
    Status.DECLINED: "danger",
    Status.CANCELLED: "dark",
    Status.ENTERED_IN_ERROR: "light",
}


# A service offered as usual carries no badge.
RESOURCE_BADGES = {
    ResourceStatus.TEMPORARILY_CLOSED: "text-bg-warning",
    ResourceStatus.INACTIVE: "text-bg-secondary",
    ResourceStatus.DEFUNCT: "text-bg-dark",
}


@register.filter
def resource_badge(service) -> str:
    return RESOURCE_BADGES.get(service.status, "")


def badge(label, color: str, dark_text: bool = False) -> str:
    # Built here, not in an included template: lists show two badges per row.
    return format_html(
        '<span class="badge badge-status bg-{}{}">{}</span>',
        color,
        " text-dark" if dark_text else "",
        label,
    )


@register.simple_tag
def status_badge(referral):
    color = STATUS_COLORS.get(referral.status, "secondary")
    return badge(
        referral.get_status_display(), color, color in {"warning", "info", "light"}
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def event_summary(event):
    """The timeline sentence for one event, in the reader's language."""
    return describe_event(event)


@register.filter
def reason_text(code):
    return reason_label(code)


def _labels(values, names):
    return [str(names.get(value, value)) for value in values or []]


@register.filter
def need_labels(values):
    return _labels(values, labels_of(SocialNeed))


@register.filter
def medical_reason_labels(values):
    return _labels(values, labels_of(MedicalReason))


@register.filter
def language_labels(values):
    return _labels(values, LANGUAGE_NAMES)


@register.filter
def days_since(moment) -> str:
    """Whole calendar days from a moment to today ("Today", "1 day", "3 days"),
    where a bare time-since would read "3 minutes" under a column of days."""
    if moment is None:
        return "—"
    days = (timezone.localdate() - timezone.localdate(moment)).days
    if days <= 0:
        return _("Today")
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


@register.simple_tag
def next_step(referral):
    """What the navigator should do next on a caseload row."""
    if referral.status == Status.ON_HOLD and referral.hold_until:
        return _("On hold until %(day)s: then check back with the patient") % {
            "day": date_format(referral.hold_until, "SHORT_DATE_FORMAT")
        }
    if referral.status == Status.ON_HOLD:
        return _("On hold: check back with the patient")
    if referral.first_contact_at is None:
        return _("Make first contact")
    step = referral.next_open_step
    if step:
        kind = labels_of(PathwayKind).get(step["kind"], step["kind"])
        return f"{kind}: {step_text(key=step['key'], title=step['title'])}"
    if referral.an_open_pathway is not None:
        return _("Close the finished pathways")
    return _("Open a pathway for each confirmed need")


@register.simple_tag
def notification_sentence(notification):
    return notification_text(notification)


@register.filter
def overdue_label(step: str) -> str:
    """What an overdue referral missed (``referrals.finding.OverdueStep``)."""
    return OverdueStep.LABELS.get(step, "")


@register.simple_tag
def notification_heading(notification):
    return notification_title(notification)


@register.filter
def patient_initials(patient) -> str:
    """ "R. M." for Rosa Mendez: enough for the person notified to know whom a
    notification is about, without spelling out the name in a list."""
    names = (patient.first_name, patient.last_name)
    # A no-break space: the initials never split across lines.
    return "\u00a0".join(
        f"{name.strip()[0].upper()}." for name in names if name.strip()
    )


@register.filter
def opening_lines(schedules) -> list[str]:
    """Weekly schedules in words, e.g. "Mon–Fri 09:00–17:00" (runs of days
    joined, day names in the reader's language)."""
    lines = []
    for row in schedules:
        if not (row.byday and row.opens_at and row.closes_at):
            continue
        indexes = sorted(WEEKDAYS.index(day) for day in row.byday if day in WEEKDAYS)
        runs: list[list[int]] = []
        for index in indexes:
            if runs and index == runs[-1][-1] + 1:
                runs[-1].append(index)
            else:
                runs.append([index])
        days = ", ".join(
            str(WEEKDAYS_ABBR[run[0]])
            if len(run) == 1
            else f"{WEEKDAYS_ABBR[run[0]]}–{WEEKDAYS_ABBR[run[-1]]}"
            for run in runs
        )
        lines.append(f"{days} {row.opens_at:%H:%M}–{row.closes_at:%H:%M}")
    return lines


@register.filter
def miles(metres):
    """Metres as miles (the directory's distances)."""
    return nearby.miles(metres)
