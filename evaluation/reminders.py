"""The evaluation's reminder: a PAM follow-up that has come due (swept with the
referral reminders, see ``referrals.services.reminders``)."""

from django.db.models import DateTimeField, Exists, F, Func, OuterRef, Q
from django.urls import reverse

from evaluation.selectors import pam_follow_up_dates
from partners.models import User
from referrals.models import CASELOAD_STATUSES, Notification, Referral, ReminderClaim
from referrals.services.reminders import Due, Rule, start_of_day


class StartOfLocalDay(Func):
    """``start_of_day`` in SQL: 8:00 on a date in a time zone, as a moment."""

    arity = 2
    template = "((%(expressions)s)"
    arg_joiner = " + TIME '08:00') AT TIME ZONE "
    output_field = DateTimeField()


def pam_follow_up_due(sweep, rule):
    """Patients on a navigator's caseload whose follow-up PAM is due today or
    earlier in the partnership's time zone, once per patient: every navigator
    with the patient on their caseload hears of it."""
    claimed = ReminderClaim.objects.filter(
        rule=rule.name, object_code=OuterRef("patient__code"), due_at=OuterRef("due_at")
    )
    rows = (
        Referral.objects.filter(
            partnership_id__in=sweep.partnerships,
            status__in=CASELOAD_STATUSES,
            navigator__role=User.Role.NAVIGATOR,
            navigator__is_active=True,
        )
        .annotate(**pam_follow_up_dates("patient_id"))
        .filter(
            sweep.where(lambda pk, _: Q(follow_up_due_on__lte=sweep.today(pk))),
            Q(last_follow_up_on__isnull=True)
            | Q(last_follow_up_on__lt=F("baseline_on")),
        )
        .annotate(
            due_at=StartOfLocalDay(F("follow_up_due_on"), F("partnership__time_zone"))
        )
        .filter(~Exists(claimed))
        .select_related("patient", "navigator", "partnership")
        .order_by("patient_id", "due_at", "navigator_id")
    )
    dues = {}
    for referral in rows:
        key = (referral.patient_id, referral.due_at)
        if key not in dues:
            patient = referral.patient
            dues[key] = Due(
                patient.code,
                start_of_day(referral.follow_up_due_on, referral.partnership),
                [],
                link=reverse("evaluation:patient-pam", args=[patient.code]),
                context={"due": referral.follow_up_due_on.isoformat()},
            )
        if referral.navigator not in dues[key].recipients:
            dues[key].recipients.append(referral.navigator)
    return dues.values()


PAM_FOLLOW_UP_RULE = Rule(
    "pam_follow_up_due", Notification.Kind.PAM_FOLLOW_UP_DUE, pam_follow_up_due
)
