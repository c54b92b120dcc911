"""Plain-language sentences for the referral timeline."""

from django.utils.translation import gettext as _

from referrals.choices import StatusReason
from referrals.models import CASELOAD_STATUSES, Pathway, Referral, ReferralEvent

Kind = ReferralEvent.Kind
STATUS_LABELS = dict(Referral.Status.choices)
REASON_LABELS = dict(StatusReason.choices)
REOPENABLE = frozenset({Referral.Status.COMPLETED, Referral.Status.UNABLE_TO_COMPLETE})


def _status_sentence(event, who):
    to_status = event.to_status
    if to_status == Referral.Status.SUBMITTED:
        return _("%(who)s sent the referral to the CBO.") % {"who": who}
    if to_status == Referral.Status.ACCEPTED:
        return _("%(who)s accepted the referral.") % {"who": who}
    if event.from_status in REOPENABLE and to_status in CASELOAD_STATUSES:
        return _("%(who)s reopened the referral for %(navigator)s.") % {
            "who": who,
            "navigator": event.navigator.get_full_name() if event.navigator else "",
        }
    if (
        to_status == Referral.Status.IN_PROGRESS
        and event.from_status == Referral.Status.ASSIGNED
    ):
        return _("Work with the patient is in progress.")
    return _("%(who)s changed the status from “%(old)s” to “%(new)s”.") % {
        "who": who,
        "old": STATUS_LABELS.get(event.from_status, event.from_status),
        "new": STATUS_LABELS.get(to_status, to_status),
    }


def _pathway_sentence(event, who):
    pathway = event.pathway.get_kind_display() if event.pathway else ""
    Event = Pathway.Event
    sentences = {
        Event.OPENED: _("%(who)s opened the %(pathway)s pathway."),
        Event.COMPLETED: _("%(who)s completed the %(pathway)s pathway."),
        Event.INCOMPLETE: _("%(who)s closed the %(pathway)s pathway as incomplete."),
        Event.APPROVED: _("%(who)s approved the completed %(pathway)s pathway."),
        Event.RETURNED: _("%(who)s returned the %(pathway)s pathway to the navigator."),
        Event.STEP_DONE: _("%(who)s marked a step of the %(pathway)s pathway done:"),
        Event.STEP_UNDONE: _(
            "%(who)s marked a step of the %(pathway)s pathway as not done:"
        ),
        Event.RESOURCE_LINKED: _(
            "%(who)s linked a community resource to the %(pathway)s pathway:"
        ),
    }
    sentence = sentences.get(event.reason_code, _("%(who)s updated a pathway."))
    return sentence % {"who": who, "pathway": pathway}


def _reroute_sentence(event, who):
    if event.from_status == Referral.Status.DECLINED:
        return _("%(who)s sent the referral on to another organization.") % {"who": who}
    earlier = event.referral.rerouted_from
    return _(
        "%(who)s sent this referral on after %(cbo)s declined referral %(code)s."
    ) % {
        "who": who,
        "cbo": earlier.partnership.cbo.name if earlier else "",
        "code": earlier.short_code if earlier else "",
    }


def describe_event(event: ReferralEvent) -> str:
    who = event.actor.get_full_name()
    if event.kind == Kind.STATUS:
        return _status_sentence(event, who)
    if event.kind == Kind.ASSIGNMENT:
        navigator = event.navigator.get_full_name() if event.navigator else ""
        if event.from_status == event.to_status:
            return _("%(who)s moved the referral to %(navigator)s.") % {
                "who": who,
                "navigator": navigator,
            }
        return _("%(who)s assigned the referral to %(navigator)s.") % {
            "who": who,
            "navigator": navigator,
        }
    if event.kind == Kind.MESSAGE:
        return _("%(who)s wrote a message.") % {"who": who}
    if event.kind == Kind.CONTACT and event.encounter:
        mode = event.encounter.get_mode_display().lower()
        if event.encounter.reached:
            return _("%(who)s reached the patient (%(mode)s).") % {
                "who": who,
                "mode": mode,
            }
        return _("%(who)s tried to reach the patient (%(mode)s).") % {
            "who": who,
            "mode": mode,
        }
    if event.kind == Kind.PATHWAY:
        return _pathway_sentence(event, who)
    if event.kind == Kind.REROUTE:
        return _reroute_sentence(event, who)
    if event.kind == Kind.SHARE:
        return _("%(who)s shared the referral with %(navigator)s.") % {
            "who": who,
            "navigator": event.navigator.get_full_name() if event.navigator else "",
        }
    return str(event)


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, "")
