"""The funnel as shared (a conversion rests on its own count and on the step
before) and the monthly table (each referral in the partnership's month it was
sent, with its contact and outcome counted there, whenever they came)."""

import csv
import datetime
import io

import pytest
import time_machine

from evaluation.tests.factories import (
    caseload_referral,
    completed_referral,
    contact_logged,
    declined_referral,
)
from referrals.models import ResourceOrganization, ResourceService
from referrals.services import pathways, workflow
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC


@pytest.fixture
def declined_mostly(partnership, supervisor, navigator, clinic):
    """Ten declined referrals and one assigned, with a resource linked before
    any contact, all from one clinic."""
    team = {"partnership": partnership, "supervisor": supervisor, "clinic": clinic}
    for _ in range(10):
        declined_referral(**team)
    referral = caseload_referral(**team, navigator=navigator)
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )
    organization = ResourceOrganization.objects.create(
        directory_owner=partnership.cbo, name="Pantry org"
    )
    pantry = ResourceService.objects.create(
        organization=organization, name="Pantry", needs=["food-insecurity"],
        languages=["es"], status="active",
    )  # fmt: skip
    pathways.pathway_resource_link(pathway=pathway, actor=navigator, service=pantry)


def test_funnel_conversions_from_a_step_of_none_or_more_than_all(
    login, manager, declined_mostly
):
    rows = login(manager).get("/evaluation/").context["tables"]["funnel"]["rows"]
    assert rows == [
        ["Referred", 11, None],
        ["Accepted", 1, 9.1],
        ["Navigator assigned", 1, 100.0],
        ["Contacted", 0, 0.0],
        ["Needs linked to resources", 1, None],
        # The ten declines close the loop but are no outcome of the work.
        ["Closed with an outcome", 0, 0.0],
    ]


def test_shared_funnel_hides_a_conversion_whose_count_or_step_before_is_small(
    login, manager, declined_mostly
):
    client = login(manager)
    shared = client.get("/evaluation/?shared=on")
    exported = list(
        csv.reader(
            io.StringIO(client.get("/evaluation/export/funnel.csv").getvalue().decode())
        )
    )

    expected = [
        ["Referred", 11, None],
        ["Accepted", "<10", "–"],
        ["Navigator assigned", "<10", "–"],
        ["Contacted", 0, "–"],
        ["Needs linked to resources", "<10", None],
        ["Closed with an outcome", 0, "–"],
    ]
    assert shared.context["tables"]["funnel"]["rows"] == expected
    assert exported[0] == ["Step", "Referrals", "Conversion from the step before (%)"]
    assert exported[1:] == [
        ["" if cell is None else str(cell) for cell in row] for row in expected
    ]
    assert "Download “Referral funnel” (CSV)" in shared.content.decode()


@pytest.fixture
def new_york(partnership):
    partnership.time_zone = "America/New_York"
    partnership.save()
    return partnership


def sent_at(moment, build, **kwargs):
    with time_machine.travel(moment, tick=False):
        return build(**kwargs)


def test_months_count_contacts_and_outcomes_in_the_month_sent(
    login, manager, new_york, supervisor, navigator
):
    team = {"partnership": new_york, "supervisor": supervisor, "navigator": navigator}
    # 23:59:59 on 31 January in New York, reached and completed at once.
    last_of_january = datetime.datetime(2026, 2, 1, 4, 59, 59, tzinfo=UTC)
    january = sent_at(last_of_january, completed_referral, **team)
    # Midnight on 1 February in New York, reached months later, still worked.
    february = sent_at(
        last_of_january + datetime.timedelta(seconds=1), caseload_referral, **team
    )
    sent_at(datetime.datetime(2026, 2, 20, 15, tzinfo=UTC), ReferralFactory,
            partnership=new_york)  # fmt: skip
    contact_logged(referral=february, navigator=navigator)
    mistaken = sent_at(
        datetime.datetime(2026, 3, 3, 15, tzinfo=UTC), ReferralFactory,
        partnership=new_york,
    )  # fmt: skip
    workflow.referral_transition(
        referral=mistaken, actor=mistaken.referred_by, name="enter_in_error",
        reason_code="duplicate",
    )  # fmt: skip
    client = login(manager)

    page = client.get("/evaluation/")
    exported = list(
        csv.reader(
            io.StringIO(
                client.get("/evaluation/export/monthly.csv").getvalue().decode()
            )
        )
    )

    assert january.status == "completed"
    assert page.context["tables"]["monthly"]["rows"] == [
        ["2026-01", 1, 1, 1],
        ["2026-02", 2, 1, 0],
    ]
    assert page.context["charts"]["monthly"] == {
        "labels": ["2026-01", "2026-02"],
        "series": [[1, 2], [1, 1], [1, 0]],
        "names": ["Referred", "Contacted", "Loop closed (any final outcome)"],
    }
    assert exported[0] == [
        "Month",
        "Referred",
        "Contacted",
        "Loop closed (any final outcome)",
    ]
    assert "Download “Referrals by month sent” (CSV)" in page.content.decode()
