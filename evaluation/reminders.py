"""The evaluation's reminder: a PAM follow-up that has come due (swept with the
referral reminders, see ``referrals.services.reminders``)."""

import datetime

from django.db.models import DateTimeField, Exists, F, Func, OuterRef, Q
from django.urls import reverse

from evaluation.models import PamAdministration
from evaluation.selectors import follow_up_months, months_later, pam_follow_up_dates
from partners.models import User
from referrals.models import CASELOAD_STATUSES, Notification, Referral, ReminderClaim
from referrals.services.reminders import Due, Rule, start_of_day


class StartOfLocalDay(Func):
    """``start_of_day`` in SQL: 8:00 on a date in a time zone, as a moment."""

    arity = 2
    template = "((%(expressions)s)"
    arg_joiner = " + TIME '08:00') AT TIME ZONE "
    output_field = DateTimeField()


def _baselines_coming_due(after: datetime.date, through: datetime.date):
    """The first and last baseline day whose follow-up falls due after ``after``
    and on or before ``through`` (the follow-up date never decreases with the
    baseline's, so they form one stretch; it is empty when first > last)."""
    months = follow_up_months()
    first = after - datetime.timedelta(days=31 * months)
    while months_later(first, months) <= after:
        first += datetime.timedelta(days=1)
    last = through - datetime.timedelta(days=31 * months)
    while months_later(last + datetime.timedelta(days=1), months) <= through:
        last += datetime.timedelta(days=1)
    return first, last


def _patients_come_due(sweep) -> list[int] | None:
    """Patients worth reading: every one (None) in a full sweep; otherwise those
    whose follow-up date came since the last sweep in some running partnership's
    time zone, and those whose PAM record or referral changed since."""
    if sweep.full:
        return None
    first, last = _baselines_coming_due(
        min(sweep.today(pk, sweep.since) for pk in sweep.partnerships),
        max(sweep.today(pk) for pk in sweep.partnerships),
    )
    changed = sweep.changed_since
    parts = [
        PamAdministration.objects.filter(
            kind=PamAdministration.Kind.BASELINE,
            administered_on__gte=first,
            administered_on__lte=last,
        ),
        PamAdministration.objects.filter(updated__gte=changed),
        Referral.objects.filter(updated__gte=changed),
    ]
    came_due, *others = (
        rows.order_by().values_list("patient_id", flat=True) for rows in parts
    )
    return list(came_due.union(*others))


def pam_follow_up_due(sweep, rule):
    """Patients on a navigator's caseload whose follow-up PAM is due today or
    earlier in the partnership's time zone, once per patient: every navigator
    with the patient on their caseload hears of it."""
    claimed = ReminderClaim.objects.filter(
        rule=rule.name, object_code=OuterRef("patient__code"), due_at=OuterRef("due_at")
    )
    patients = _patients_come_due(sweep)
    if patients == []:
        return []
    referrals = Referral.objects.filter(
        partnership_id__in=sweep.partnerships,
        status__in=CASELOAD_STATUSES,
        navigator__role=User.Role.NAVIGATOR,
        navigator__is_active=True,
    )
    if patients is not None:
        referrals = referrals.filter(patient_id__in=patients)
    rows = (
        referrals.annotate(**pam_follow_up_dates("patient_id"))
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
