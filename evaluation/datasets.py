"""The de-identified patient-level dataset evaluators download.

One row per patient of the filtered cohort; no names, record numbers, phones,
addresses or exact dates: only years and offsets in days from enrollment. Ages
over 89 are grouped (HIPAA Safe Harbor). The pseudonym is random for each export.
"""

import secrets

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from evaluation.figures import (
    RESOLVED,
    cohort_of,
    count_subquery,
    days_between,
    filtered_referrals,
    local_month_start,
    time_zone_for,
    window_sum,
)
from evaluation.models import PamAdministration
from referrals.models import Pathway
from referrals.selectors import referral_list_for_user

HEADER = [
    "pseudonym",
    "birth_year",
    "sex",
    "preferred_language",
    "interpreter_needed",
    "enrollment_year",
    "referrals",
    "needs_first_referral",
    "outcome_first_referral",
    "days_to_first_contact",
    "days_to_closure",
    "pathways_opened",
    "pathways_resolved",
    "pam_baseline_day",
    "pam_baseline_score",
    "pam_baseline_level",
    "pam_follow_up_day",
    "pam_follow_up_score",
    "pam_follow_up_level",
    "ed_visits_6m_before",
    "ed_visits_6m_after",
    "admissions_6m_before",
    "admissions_6m_after",
    "utilization_months_before",
    "utilization_months_after",
]


def _birth_year(born, today) -> str:
    if today.year - born.year > 89:
        return f"<={today.year - 90}"
    return str(born.year)


def deidentified_dataset(user, filters: dict) -> tuple[list, list]:
    time_zone = time_zone_for(user)
    referrals = filtered_referrals(user, filters, time_zone)
    first = (
        referral_list_for_user(user)
        .filter(patient_id=OuterRef("pk"), submitted_at__isnull=False)
        .order_by("submitted_at", "pk")
    )
    first_timed = first.annotate(
        to_contact=days_between("first_contact_at", "submitted_at"),
        to_close=days_between("closed_at", "submitted_at"),
    )
    pams = PamAdministration.objects.filter(patient_id=OuterRef("pk"))
    Kind = PamAdministration.Kind
    baseline = pams.filter(kind=Kind.BASELINE).order_by("administered_on", "pk")
    follow_up = pams.filter(kind=Kind.FOLLOW_UP).order_by("-administered_on", "-pk")
    pathways = Pathway.objects.filter(referral__in=referrals.values("pk"))
    patients = cohort_of(referrals).annotate(
        enrolled_at=Subquery(first.values("submitted_at")[:1]),
        needs=Subquery(first.values("social_needs")[:1]),
        outcome=Subquery(first.values("status")[:1]),
        to_contact=Subquery(first_timed.values("to_contact")[:1]),
        to_close=Subquery(first_timed.values("to_close")[:1]),
        referral_count=Count(
            "referrals", filter=Q(referrals__in=referrals.values("pk")), distinct=True
        ),
        baseline_on=Subquery(baseline.values("administered_on")[:1]),
        baseline_score=Subquery(baseline.values("score")[:1]),
        baseline_level=Subquery(baseline.values("level")[:1]),
        follow_up_on=Subquery(follow_up.values("administered_on")[:1]),
        follow_up_score=Subquery(follow_up.values("score")[:1]),
        follow_up_level=Subquery(follow_up.values("level")[:1]),
    )
    patients = _with_utilization(_with_pathways(patients, pathways), time_zone)
    today = timezone.localdate()
    rows = []
    for p in patients:
        enrolled = timezone.localtime(p.enrolled_at).date() if p.enrolled_at else None
        rows.append([
            secrets.token_hex(5),
            _birth_year(p.date_of_birth, today),
            p.sex,
            p.preferred_language,
            int(p.interpreter_needed),
            enrolled.year if enrolled else "",
            p.referral_count,
            ";".join(p.needs or []),
            p.outcome or "",
            _days(p.to_contact),
            _days(p.to_close),
            p.pathways_opened,
            p.pathways_resolved,
            _offset(p.baseline_on, enrolled),
            _blank(p.baseline_score),
            _blank(p.baseline_level),
            _offset(p.follow_up_on, enrolled),
            _blank(p.follow_up_score),
            _blank(p.follow_up_level),
            p.pre_ed_visits,
            p.post_ed_visits,
            p.pre_inpatient_admissions,
            p.post_inpatient_admissions,
            p.pre_months,
            p.post_months,
        ])  # fmt: skip
    rows.sort(key=lambda row: row[0])
    return HEADER, rows


def _with_pathways(patients, pathways):
    mine = pathways.filter(referral__patient_id=OuterRef("pk"))
    return patients.annotate(
        pathways_opened=count_subquery(mine, "referral__patient"),
        pathways_resolved=count_subquery(
            mine.filter(status__in=RESOLVED), "referral__patient"
        ),
    )


def _with_utilization(patients, time_zone):
    patients = patients.annotate(
        enrolled_month=local_month_start(F("enrolled_at"), time_zone)
    )
    sums = {}
    for after in (False, True):
        phase = "post" if after else "pre"
        sums[f"{phase}_months"] = window_sum("months", 6, after)
        for field in ("ed_visits", "inpatient_admissions"):
            sums[f"{phase}_{field}"] = window_sum(field, 6, after)
    return patients.annotate(**sums)


def _days(value):
    return "" if value is None else round(value, 1)


def _offset(day, enrolled):
    return "" if day is None or enrolled is None else (day - enrolled).days


def _blank(value):
    return "" if value is None else value
