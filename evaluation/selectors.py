"""Scoped reads of evaluation records: PAM, stories, themes and utilization.

Scope rules:
- navigators: patients on their caseload (referrals assigned or shared to them);
- supervisors: patients of referrals sent to their CBO;
- program managers: patients of their partnerships' submitted referrals;
- utilization and imports: the program manager's own health system.
Out of scope is a 404, never a 403.
"""

import calendar
import datetime

from django.conf import settings
from django.db.models import (
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from evaluation.access import manages_program
from evaluation.models import (
    PamAdministration,
    PamConversionTable,
    Report,
    Story,
    Theme,
    UtilizationImport,
    UtilizationRecord,
)
from referrals.access import navigates, supervises
from referrals.models import CASELOAD_STATUSES, Patient
from referrals.selectors import patients_referred_for_user, referral_list_for_user


class AddMonths(Func):
    """``date + n months`` in PostgreSQL, as a date."""

    template = "(%(expressions)s + make_interval(months => %(months)s))::date"
    output_field = DateField()

    def __init__(self, expression, months: int, **extra):
        super().__init__(expression, months=int(months), **extra)


def months_later(day: datetime.date, months: int) -> datetime.date:
    """``AddMonths`` in Python: the same day ``months`` later, or the last day of
    that month when it is shorter (as PostgreSQL adds an interval)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def follow_up_months() -> int:
    return settings.PAM_FOLLOW_UP_MONTHS


def evaluation_patient_get_for_user(user, code) -> Patient:
    """Clinic staff too reach a patient here only through a referral."""
    return get_object_or_404(patients_referred_for_user(user), code=code)


def pam_list_for_user(user) -> QuerySet[PamAdministration]:
    return PamAdministration.objects.filter(
        Exists(
            referral_list_for_user(user).filter(
                patient_id=OuterRef("patient_id"),
                partnership_id=OuterRef("partnership_id"),
            )
        )
    ).select_related("patient", "administered_by", "conversion_table")


def pam_get_for_user(user, code) -> PamAdministration:
    return get_object_or_404(pam_list_for_user(user), code=code)


def pam_follow_up_dates(patient: str = "pk") -> dict:
    """Annotations for the patient at ``patient``: the first baseline's date and
    level, the last follow-up's date, and the date a follow-up is due (baseline +
    the configured months)."""
    pams = PamAdministration.objects.filter(patient_id=OuterRef(patient))
    baseline = pams.filter(kind=PamAdministration.Kind.BASELINE).order_by(
        "administered_on", "pk"
    )
    follow_up = pams.filter(kind=PamAdministration.Kind.FOLLOW_UP).order_by(
        "-administered_on", "-pk"
    )
    baseline_on = Subquery(baseline.values("administered_on")[:1])
    return {
        "baseline_on": baseline_on,
        "baseline_level": Subquery(baseline.values("level")[:1]),
        "last_follow_up_on": Subquery(follow_up.values("administered_on")[:1]),
        "follow_up_due_on": AddMonths(baseline_on, follow_up_months()),
    }


def pam_due_for_navigator(*, user) -> QuerySet[Patient]:
    """Patients on the navigator's caseload with their PAM dates
    (``pam_follow_up_dates``), those due soonest first and those with no baseline
    last."""
    on_caseload = referral_list_for_user(user).filter(
        patient_id=OuterRef("pk"), status__in=CASELOAD_STATUSES
    )
    return (
        Patient.objects.filter(Exists(on_caseload))
        .annotate(**pam_follow_up_dates())
        .order_by(F("follow_up_due_on").asc(nulls_last=True), "last_name", "pk")
    )


def pam_tables_for_user(user) -> QuerySet[PamConversionTable]:
    return PamConversionTable.objects.filter(
        organization_id=user.organization_id
    ).select_related("uploaded_by")


def pam_table_get_for_user(user, code) -> PamConversionTable:
    return get_object_or_404(pam_tables_for_user(user), code=code)


def shareable_q(scope: str, prefix: str = "") -> Q:
    """Stories that may appear in a view shared at ``scope``: consent covers it,
    not withdrawn, not expired, de-identified version reviewed."""
    scopes = {
        Story.Scope.INTERNAL: Story.Scope.values,
        Story.Scope.FUNDER: [Story.Scope.FUNDER, Story.Scope.PUBLIC],
        Story.Scope.PUBLIC: [Story.Scope.PUBLIC],
    }[scope]
    today = timezone.localdate()
    return Q(
        **{
            f"{prefix}consent_scope__in": scopes,
            f"{prefix}withdrawn_at__isnull": True,
            f"{prefix}deidentified_reviewed_at__isnull": False,
        }
    ) & (
        Q(**{f"{prefix}consent_expires_on__isnull": True})
        | Q(**{f"{prefix}consent_expires_on__gte": today})
    )


def story_list_for_user(user, *, filters: dict | None = None) -> QuerySet[Story]:
    """Navigators see the stories they recorded or of their caseload; supervisors
    their CBO's; program managers only stories with live consent and a reviewed
    de-identified version."""
    filters = filters or {}
    stories = Story.objects.select_related("patient", "recorded_by").prefetch_related(
        "excerpts__theme"
    )
    if navigates(user):
        stories = stories.filter(
            Q(recorded_by=user) | Q(Exists(_caseload_referral(user)))
        )
    elif supervises(user):
        stories = stories.filter(partnership__cbo_id=user.organization_id)
    elif manages_program(user):
        stories = stories.filter(
            Q(partnership__health_system_id=user.organization_id)
            | Q(partnership__cbo_id=user.organization_id),
            shareable_q(Story.Scope.INTERNAL),
        )
    else:
        return stories.none()
    if filters.get("theme"):
        stories = stories.filter(excerpts__theme=filters["theme"]).distinct()
    if filters.get("domain"):
        stories = stories.filter(domain=filters["domain"])
    if filters.get("language"):
        stories = stories.filter(language=filters["language"])
    return stories.order_by("-told_on", "-pk")


def stories_for_funder_report(user) -> QuerySet[Story]:
    """Stories of the user's partnerships shareable in funder reports today."""
    return (
        Story.objects.filter(
            Q(partnership__health_system_id=user.organization_id)
            | Q(partnership__cbo_id=user.organization_id),
            shareable_q(Story.Scope.FUNDER),
        )
        .prefetch_related("excerpts__theme")
        .order_by("-told_on", "-pk")
    )


def _caseload_referral(user):
    return referral_list_for_user(user).filter(patient_id=OuterRef("patient_id"))


def story_get_for_user(user, code) -> Story:
    return get_object_or_404(
        story_list_for_user(user).select_related("partnership"), code=code
    )


def theme_list_for_user(user) -> QuerySet[Theme]:
    return Theme.objects.filter(organization_id=user.organization_id)


def theme_get_for_user(user, code) -> Theme:
    return get_object_or_404(theme_list_for_user(user), code=code)


def utilization_list_for_user(user, *, mrn: str = "") -> QuerySet[UtilizationRecord]:
    records = UtilizationRecord.objects.filter(
        patient__health_system_id=user.organization_id
    ).select_related("patient")
    if mrn:
        records = records.filter(patient__mrn__iexact=mrn)
    return records.order_by("patient__last_name", "patient_id", "-period")


def utilization_get_for_user(user, code) -> UtilizationRecord:
    return get_object_or_404(utilization_list_for_user(user), code=code)


def utilization_patient_by_mrn(user, mrn: str) -> Patient | None:
    return Patient.objects.filter(
        health_system_id=user.organization_id, mrn__iexact=mrn.strip()
    ).first()


def utilization_import_get_for_user(user, code) -> UtilizationImport:
    return get_object_or_404(
        UtilizationImport, code=code, health_system_id=user.organization_id
    )


def report_list_for_user(user) -> QuerySet[Report]:
    """A person's own reports: nobody else's figures, however they were made."""
    return Report.objects.filter(owner=user).defer("tables", "csv")


def report_get_for_user(user, code) -> Report:
    return get_object_or_404(Report, owner=user, code=code)
