"""The texts chwlink writes, in the patient's language.

Reviewed to carry nothing about the patient but their first name: no diagnosis,
medical reason, social need or referral detail (a test renders each one). What a
navigator types is theirs to choose."""

import zoneinfo

from django.utils import formats, translation
from django.utils.translation import gettext as _

MAX_LENGTH = 1600  # what one message may hold at the provider (10 segments)

TEMPLATES = {
    "intro": lambda c: (
        _(
            "Hello %(first_name)s, I'm %(navigator)s, your navigator from %(cbo)s. "
            "I'll call you tomorrow."
        )
        % c
    ),
    "resource": lambda c: "\n".join(
        line
        for line in (
            _("%(first_name)s, here is the place we talked about:") % c,
            c["resource_name"],
            c["resource_phone"],
            c["resource_address"],
            _("Hours: %(hours)s") % {"hours": c["resource_hours"]}
            if c["resource_hours"]
            else "",
        )
        if line
    ),
    "visit": lambda c: (
        _(
            "Hello %(first_name)s, a reminder from %(cbo)s: we will see you on "
            "%(when)s. Reply to this text if you need to change it."
        )
        % c
    ),
    "auto_assigned": lambda c: (
        _(
            "Hello %(first_name)s, %(navigator)s from %(cbo)s will contact you soon. "
            "Reply STOP to stop texts, HELP for help."
        )
        % c
    ),
    "auto_hold": lambda c: (
        _(
            "Hello %(first_name)s, this is %(cbo)s checking in. Reply to this text or "
            "call us at %(cbo_phone)s when you would like to continue."
        )
        % c
    ),
    "help": lambda c: (
        _("%(cbo)s: for help call %(cbo_phone)s. Reply STOP to stop texts.") % c
    ),
    "start": lambda c: (
        _("%(cbo)s: you will get texts from us again. Reply STOP to stop them.") % c
    ),
}
TEMPLATES["auto_visit"] = TEMPLATES["visit"]


def visit_when(visit, partnership) -> str:
    zone = zoneinfo.ZoneInfo(partnership.time_zone)
    return formats.date_format(visit.starts_at.astimezone(zone), "DATETIME_FORMAT")


def text_render(kind: str, *, language: str, context: dict) -> str:
    """The text of ``kind`` in ``language`` (the patient's preferred one)."""
    with translation.override(language):
        values = dict(context)
        if visit := values.pop("visit", None):
            values["when"] = visit_when(visit, values.pop("partnership"))
        return TEMPLATES[kind](values)


def context_for(referral, *, navigator=None, resource=None, visit=None) -> dict:
    """What a template may say: the patient's first name, the CBO's name and
    phone, the navigator's first name, a directory resource, a visit's time."""
    cbo = referral.partnership.cbo
    context = {
        "first_name": referral.patient.first_name,
        "cbo": cbo.name,
        "cbo_phone": cbo.phone or "",
        "navigator": (navigator or referral.navigator).first_name
        if (navigator or referral.navigator)
        else cbo.name,
    }
    if resource is not None:
        location = next(iter(resource.locations.all()), None)
        address = ""
        if location is not None:
            address = ", ".join(
                part
                for part in (location.address, location.city, location.state)
                if part
            )
        context |= {
            "resource_name": resource.name,
            "resource_phone": resource.organization.phone,
            "resource_address": address,
            "resource_hours": resource.hours,
        }
    if visit is not None:
        context |= {"visit": visit, "partnership": referral.partnership}
    return context
