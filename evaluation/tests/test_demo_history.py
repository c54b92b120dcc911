"""The demo shows a real program: two years of referrals for the first
partnership, through every status and outcome, with PAM change and health care
use, every figure equal to the raw SQL and the rollups equal to a rebuild; a
second ``seed_demo`` changes nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Max

from evaluation.models import PamAdministration, UtilizationRecord
from evaluation.tests.test_dashboard_against_sql import check
from evaluation.tests.test_rollups import assert_equal_to_a_rebuild, snapshot
from partners.models import Statement, User
from referrals.demo_history import HISTORY_MRN
from referrals.models import (
    Encounter,
    Pathway,
    Patient,
    Referral,
    ReferralEvent,
    TextConsent,
)

pytestmark = pytest.mark.django_db
S = Referral.Status


def test_the_dashboard_shows_two_years_of_a_program_as_the_sql_counts_it(login):
    call_command("seed_demo", verbosity=0)
    manager = User.objects.get(email="manager@example.org")

    data = check(login(manager), manager)

    tables = data["tables"]
    assert len(tables["monthly"]["rows"]) > 12
    assert len(tables["clinics"]["rows"]) == 3
    worked = {row[0] for row in tables["navigators"]["rows"] if row[1] or row[3]}
    assert len(worked) >= 4
    pam = data["pam"]["overall"]
    assert pam["n"] >= 30 and pam["mean"] > 0
    utilization = data["utilization"]["totals"]
    assert utilization["n"] > 50
    emergency = tables["utilization"]["rows"][0]
    assert emergency[2] > emergency[3]  # fewer emergency visits after
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert set(S.values) - {S.DRAFT, S.ENTERED_IN_ERROR} <= statuses
    pathways = set(Pathway.objects.values_list("status", flat=True))
    assert {"open", "approved", "incomplete"} <= pathways
    assert Statement.objects.filter(issued_at__isnull=False).count() > 1
    assert_equal_to_a_rebuild()


def _state() -> dict:
    models = (
        User, Referral, ReferralEvent, Encounter, Pathway, PamAdministration,
        UtilizationRecord, Statement,
    )  # fmt: skip
    return {
        "rows": {m.__name__: m.objects.count() for m in models},
        "latest": {m.__name__: m.objects.aggregate(Max("pk")) for m in models},
        "rollups": snapshot(),
    }


def test_a_second_seed_demo_changes_nothing():
    call_command("seed_demo", verbosity=0)
    before = _state()
    call_command("seed_demo", verbosity=0)
    assert _state() == before


def test_history_patients_who_accept_texts_have_their_consent_recorded():
    call_command("seed_demo", verbosity=0)
    history = Patient.objects.filter(mrn__startswith=HISTORY_MRN)
    ticked = set(history.filter(texts_ok=True).values_list("pk", flat=True))
    consented = set(
        TextConsent.objects.filter(patient__in=history, given=True).values_list(
            "patient_id", flat=True
        )
    )
    assert ticked and consented == ticked
    first = TextConsent.objects.filter(patient__in=history).select_related("patient")
    assert all(c.created == c.patient.created for c in first[:20])
