"""The rollups the dashboard reads, kept by triggers as referrals, pathways,
resources, patients, partnerships and utilization change, equal a recomputation
from scratch after every kind of change."""

import datetime
import importlib

import pytest
import time_machine
from django.db import connection
from django.db.models import Max

from evaluation.models import (
    Enrollment,
    EnrollmentMonth,
    RecentContact,
    ReferralFact,
    ReferralMonth,
    UtilizationRecord,
)
from evaluation.rollups import rollups_rebuild
from evaluation.services.utilization import utilization_save
from evaluation.tests.factories import (
    accepted_referral,
    caseload_referral,
    completed_referral,
    contact_logged,
    declined_referral,
    draft_referral,
)
from evaluation.tests.test_dashboard_needs_and_patients import service
from referrals.models import Encounter, Pathway, Referral
from referrals.services import pathways, workflow
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
JANUARY = datetime.datetime(2026, 1, 15, 18, tzinfo=UTC)


def snapshot() -> dict:
    """Every row of the rollups, without their surrogate keys; of the recent
    contacts, those a rebuild keeps (the kept days before the latest)."""
    rows = {
        model: model.objects.all()
        for model in (ReferralFact, ReferralMonth, Enrollment, EnrollmentMonth)
    }
    latest = Encounter.objects.aggregate(latest=Max("occurred_at"))["latest"]
    if latest:
        kept = latest - datetime.timedelta(days=RecentContact.KEPT_DAYS)
        rows[RecentContact] = RecentContact.objects.filter(occurred_at__gte=kept)
    return {
        model.__name__: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != "id"))
            for row in queryset.values()
        )
        for model, queryset in rows.items()
    }


def assert_equal_to_a_rebuild():
    kept = snapshot()
    rollups_rebuild()
    assert snapshot() == kept


def month_of_use(patient, manager, period, ed_visits):
    return utilization_save(
        actor=manager, patient=patient,
        values={"period": period, "ed_visits": ed_visits, "inpatient_admissions": 1,
                "hospital_days": 2, "readmissions_30d": 0, "primary_care_visits": 1,
                "hba1c": "7.1"},
    )  # fmt: skip


@pytest.fixture
def worked(partnership, supervisor, navigator, clinic, other_clinic, manager):
    """Referrals in every state over three months, two of one patient, with
    pathways, resources and utilization around the first one's enrollment."""
    team = {"partnership": partnership, "supervisor": supervisor}
    with time_machine.travel(JANUARY, tick=False):
        first = caseload_referral(**team, navigator=navigator, clinic=clinic)
        second = accepted_referral(**team, clinic=other_clinic, patient=first.patient)
        declined_referral(**team, social_needs=["food-insecurity", "stress"])
    with time_machine.travel(JANUARY + datetime.timedelta(days=32), tick=False):
        first = contact_logged(referral=first, navigator=navigator)
        done = completed_referral(**team, navigator=navigator, clinic=other_clinic)
        pathway = pathways.pathway_open(
            referral=first, actor=navigator, need="food-insecurity", goal="Food"
        )
        pathways.pathway_resource_link(
            pathway=pathway, actor=navigator, service=service(partnership.cbo, "Pantry")
        )
    for period, ed_visits in ((datetime.date(2025, 12, 1), 2), (JANUARY.date(), 1)):
        month_of_use(first.patient, manager, period.replace(day=1), ed_visits)
    return {"first": first, "second": second, "done": done, "pathway": pathway}


def test_the_rollups_hold_what_a_rebuild_computes(worked):
    assert ReferralFact.objects.count() == 4
    assert_equal_to_a_rebuild()


def test_pathways_closing_and_being_approved_keep_the_rollups(
    worked, navigator, supervisor
):
    pathway = worked["pathway"]
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="")
    assert_equal_to_a_rebuild()
    pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)
    fact = ReferralFact.objects.get(referral=worked["first"])
    assert (fact.linked, fact.pathways_resolved, fact.pathways_final) == (True, 1, 1)
    assert_equal_to_a_rebuild()


def test_a_resource_unlinked_and_a_referral_in_error_leave_the_counts(
    worked, clinic_user, clinic
):
    worked["pathway"].resource_links.all().delete()
    assert not ReferralFact.objects.get(referral=worked["first"]).linked
    assert_equal_to_a_rebuild()
    workflow.referral_transition(
        referral=worked["second"], actor=clinic_user, name="enter_in_error",
        reason_code="duplicate", reason="Twice",
    )  # fmt: skip
    draft_referral(clinic_user=clinic_user, clinic=clinic)
    assert ReferralFact.objects.count() == 3
    assert_equal_to_a_rebuild()


def test_the_patients_language_the_clinic_and_the_needs_move_the_counts(
    worked, other_clinic
):
    patient = worked["first"].patient
    patient.preferred_language = "vi"
    patient.save()
    Referral.objects.filter(pk=worked["done"].pk).update(
        clinic=other_clinic, social_needs=["housing-instability", "stress", "stress"]
    )
    assert set(
        ReferralMonth.objects.filter(language="vi").values_list("referred", flat=True)
    ) == {1}
    assert_equal_to_a_rebuild()


def test_a_new_time_zone_moves_the_months(worked, partnership):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 2, tzinfo=UTC), tick=False):
        ReferralFactory(partnership=partnership)
    partnership.time_zone = "Asia/Tokyo"
    partnership.save()
    assert ReferralMonth.objects.filter(month=datetime.date(2026, 4, 1)).exists()
    assert_equal_to_a_rebuild()


def test_utilization_changes_and_an_earlier_referral_move_the_windows(
    worked, partnership, manager
):
    patient = worked["first"].patient
    record = UtilizationRecord.objects.filter(patient=patient).first()
    record.ed_visits = 9
    record.save()
    month_of_use(patient, manager, datetime.date(2025, 6, 1), 4)
    assert_equal_to_a_rebuild()
    UtilizationRecord.objects.filter(patient=patient, period__year=2026).delete()
    with time_machine.travel(JANUARY - datetime.timedelta(days=40), tick=False):
        ReferralFactory(partnership=partnership, patient=patient)
    enrollment = Enrollment.objects.get(patient=patient)
    assert enrollment.enrolled_month == datetime.date(2025, 12, 1)
    assert_equal_to_a_rebuild()


def test_deleting_a_referral_takes_it_out(partnership):
    referral = ReferralFactory(partnership=partnership)
    referral.delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM evaluation_referralmonth")
        assert cursor.fetchone() == (0,)
    assert not Enrollment.objects.exists()
    assert_equal_to_a_rebuild()


def test_a_navigators_contacts_older_than_the_kept_days_go(
    worked, navigator, supervisor, partnership
):
    later = JANUARY + datetime.timedelta(days=32 + RecentContact.KEPT_DAYS + 1)
    with time_machine.travel(later, tick=False):
        referral = caseload_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )
        contact_logged(referral=referral, navigator=navigator)
    kept = RecentContact.objects.filter(navigator=navigator)
    assert [c.occurred_at for c in kept] == [later]
    assert_equal_to_a_rebuild()


def test_a_change_to_any_referral_column_the_rollups_read_moves_them(
    worked, navigator, other_partnership
):
    first, second, done = worked["first"], worked["second"], worked["done"]
    later = datetime.timedelta(days=3)
    changes = [
        (second, {"clinic": first.clinic}),
        (second, {"navigator": navigator}),
        (done, {"patient": first.patient}),
        (done, {"status": "cancelled"}),
        (done, {"social_needs": ["housing-instability"]}),
        (first, {"submitted_at": first.submitted_at - datetime.timedelta(days=40)}),
        *(
            (done, {column: getattr(done, column) + later})
            for column in (
                "accepted_at",
                "assigned_at",
                "first_contact_at",
                "last_contact_at",
                "closed_at",
                "status_changed_at",
            )
        ),  # fmt: skip
        (done, {"partnership": other_partnership}),
    ]
    for referral, change in changes:
        Referral.objects.filter(pk=referral.pk).update(**change)
        assert_equal_to_a_rebuild()
    read = importlib.import_module(
        "evaluation.migrations.0006_rollup_triggers_on_read_columns"
    ).REFERRAL_COLUMNS
    changed = {
        Referral._meta.get_field(name).column
        for _r, change in changes
        for name in change
    }
    assert changed == set(read)


def test_billing_marks_leave_the_rollups_unread(worked):
    """A statement marking what it billed does not recompute the facts."""
    referral, pathway = worked["first"], worked["pathway"]
    ReferralFact.objects.filter(referral=referral).update(status="marked")
    moment = JANUARY + datetime.timedelta(days=60)
    Referral.objects.filter(pk=referral.pk).update(
        acceptance_billed_at=moment, updated=moment
    )
    Pathway.objects.filter(pk=pathway.pk).update(billed_at=moment, partnership=None)
    assert ReferralFact.objects.get(referral=referral).status == "marked"
    Pathway.objects.filter(pk=pathway.pk).update(status="completed")
    assert ReferralFact.objects.get(referral=referral).status == referral.status
    assert_equal_to_a_rebuild()
