"""The evaluation's reminder: a PAM follow-up that has come due (swept with the
referral reminders, see ``referrals.services.reminders``)."""

import zoneinfo

from django.db.models import F, Q
from django.urls import reverse

from evaluation.selectors import pam_due_for_navigator
from partners.models import User
from referrals.models import Notification
from referrals.services.reminders import Due, Rule, start_of_day


def pam_follow_up_due(partnership, now):
    today = now.astimezone(zoneinfo.ZoneInfo(partnership.time_zone)).date()
    for navigator in User.objects.filter(
        organization_id=partnership.cbo_id, role=User.Role.NAVIGATOR, is_active=True
    ):
        due = pam_due_for_navigator(user=navigator).filter(
            Q(last_follow_up_on__isnull=True)
            | Q(last_follow_up_on__lt=F("baseline_on")),
            follow_up_due_on__lte=today,
        )
        for patient in due:
            yield Due(
                patient.code,
                start_of_day(patient.follow_up_due_on, partnership),
                [navigator],
                link=reverse("evaluation:patient-pam", args=[patient.code]),
                context={"due": patient.follow_up_due_on.isoformat()},
            )


PAM_FOLLOW_UP_RULE = Rule(
    "pam_follow_up_due", Notification.Kind.PAM_FOLLOW_UP_DUE, pam_follow_up_due
)
