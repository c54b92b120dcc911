"""Key figures that rest on pathways and patients: needs resolved among the needs
with a final outcome, referrals with a resource linked, active patients counted
once however many open referrals they have; and the key-figure table as shared."""

import csv
import datetime
import io

import pytest
import time_machine

from evaluation.tests.factories import (
    caseload_referral,
    completed_referral,
    contact_logged,
)
from referrals.models import ResourceOrganization, ResourceService
from referrals.services import pathways
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
SENT = datetime.datetime(2026, 3, 2, 15, tzinfo=UTC)


def service(owner, name):
    organization, _ = ResourceOrganization.objects.get_or_create(
        directory_owner=owner, name="Pantry org"
    )
    return ResourceService.objects.create(
        organization=organization, name=name, needs=["food-insecurity"],
        languages=["es"], status="active",
    )  # fmt: skip


@pytest.fixture
def needs(partnership, supervisor, navigator, clinic, other_clinic):
    """At South Clinic, four referrals worked by the navigator, one pathway each:
    completed (awaiting approval), approved, incomplete, and open with two
    resources linked; the first referral's patient has a second referral waiting.
    At North Clinic, one completed referral and one assigned with an approved
    pathway."""
    team = {"partnership": partnership, "supervisor": supervisor}
    with time_machine.travel(SENT, tick=False):
        worked = [
            caseload_referral(**team, navigator=navigator, clinic=other_clinic)
            for _ in range(4)
        ]
        ReferralFactory(
            partnership=partnership, clinic=other_clinic, patient=worked[0].patient
        )
    for days, referral in enumerate(worked, start=1):
        with time_machine.travel(SENT + datetime.timedelta(days=days), tick=False):
            contact_logged(referral=referral, navigator=navigator)
    with time_machine.travel(SENT + datetime.timedelta(days=5), tick=False):
        return _pathways(partnership, supervisor, navigator, clinic, worked)


def _pathways(partnership, supervisor, navigator, clinic, worked):
    team = {"partnership": partnership, "supervisor": supervisor}
    opened = [
        pathways.pathway_open(
            referral=referral, actor=navigator, need="food-insecurity", goal="Food"
        )
        for referral in worked
    ]
    completed, approved, incomplete, open_ = opened
    pantries = [service(partnership.cbo, name) for name in ("North", "South")]
    pathways.pathway_resource_link(
        pathway=completed, actor=navigator, service=pantries[0]
    )
    for pantry in pantries:
        pathways.pathway_resource_link(pathway=open_, actor=navigator, service=pantry)
    for pathway in (completed, approved):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=True, note=""
        )
    pathways.pathway_review(pathway=approved, actor=supervisor, approve=True)
    pathways.pathway_close(
        pathway=incomplete, actor=navigator, completed=False, note="Moved away"
    )
    done = completed_referral(**team, navigator=navigator, clinic=clinic)
    elsewhere = pathways.pathway_open(
        referral=caseload_referral(**team, navigator=navigator, clinic=clinic),
        actor=navigator, need="food-insecurity", goal="Food",
    )  # fmt: skip
    pathways.pathway_close(pathway=elsewhere, actor=navigator, completed=True, note="")
    pathways.pathway_review(pathway=elsewhere, actor=supervisor, approve=True)
    return done, elsewhere


def dashboard(client, query=""):
    with time_machine.travel(SENT + datetime.timedelta(days=6), tick=False):
        return client.get(f"/evaluation/{query}")


def rows(data, key):
    return {row[0]: row[1:] for row in data["tables"][key]["rows"]}


def test_needs_resolved_are_completed_or_approved_among_final_ones(
    login, manager, other_clinic, needs
):
    data = dashboard(login(manager), f"?clinic={other_clinic.pk}").context["data"]

    kpis = rows(data, "kpis")
    assert kpis["Needs resolved (%)"] == [66.7, 3]
    assert (data["figures"]["needs_resolved"], data["figures"]["needs_final"]) == (2, 3)
    assert rows(data, "funnel")["Needs linked to resources"][0] == 2


def test_a_patient_with_two_open_referrals_is_one_active_patient(
    login, manager, other_clinic, needs
):
    data = dashboard(login(manager), f"?clinic={other_clinic.pk}").context["data"]

    assert data["figures"]["open"] == 5
    assert rows(data, "kpis")["Active patients"] == [4, 4]
    assert rows(data, "kpis")["New referrals"] == [5, 5]
    # Reached after 1, 2, 3 and 4 days.
    assert rows(data, "kpis")["Median days to first contact"] == [2.5, 4]


def test_a_closed_referrals_patient_is_not_active(login, manager, clinic, needs):
    data = dashboard(login(manager), f"?clinic={clinic.pk}").context["data"]

    kpis = rows(data, "kpis")
    assert kpis["Active patients"] == [1, 1]
    assert kpis["Closed-loop rate (%)"] == [50.0, 2]
    assert kpis["Needs resolved (%)"] == [100.0, 1]
    assert rows(data, "funnel")["Needs linked to resources"][0] == 0


def test_key_figures_shared_hide_small_counts_and_what_rests_on_them(
    login, manager, other_clinic, needs
):
    client = login(manager)
    shared = dashboard(client, f"?clinic={other_clinic.pk}&shared=on")
    with time_machine.travel(SENT + datetime.timedelta(days=6), tick=False):
        response = client.get(f"/evaluation/export/kpis.csv?clinic={other_clinic.pk}")
    exported = list(csv.reader(io.StringIO(response.getvalue().decode())))

    assert shared.context["tables"]["kpis"]["rows"] == [
        ["Active patients", "<10", "<10"],
        ["New referrals", "<10", "<10"],
        ["Closed-loop rate (%)", "–", "<10"],
        ["Median days to first contact", "–", "<10"],
        ["Needs resolved (%)", "–", "<10"],
        ["Overdue referrals", "<10", "<10"],
    ]
    assert exported[0] == ["Measure", "Value", "Based on"]
    assert exported[3] == ["Closed-loop rate (%)", "–", "<10"]
    assert "Download “Key figures” (CSV)" in shared.content.decode()


def test_key_figures_of_ten_or_more_are_shared(login, manager, partnership, clinic):
    # One clinic: ten clinics of one referral each would give each other away.
    ReferralFactory.create_batch(10, partnership=partnership, clinic=clinic)
    shared = login(manager).get("/evaluation/?shared=on").context["tables"]["kpis"]
    assert shared["rows"][:3] == [
        ["Active patients", 10, 10],
        ["New referrals", 10, 10],
        ["Closed-loop rate (%)", 0.0, 10],
    ]
