"""The approvals queue shows completed pathways only, the longest-waiting first."""

import datetime
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.services import pathways
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import at, in_progress_referral

PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")
APPROVALS = "/referrals/pathways/approvals/"


def local(day, hour):
    return datetime.datetime(2026, 12, day, hour, tzinfo=PORTLAND)


def pathway_for(partnership, supervisor, navigator, first_name):
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=ReferralFactory(
            partnership=partnership, patient__first_name=first_name
        ),
    )
    return pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )


def close_at(moment, pathway, navigator, *, completed=True):
    return at(
        moment,
        pathways.pathway_close,
        pathway=pathway,
        actor=navigator,
        completed=completed,
        note="" if completed else "Moved away",
    )


def test_the_pathway_closed_first_waits_at_the_top(
    login, partnership, supervisor, navigator
):
    later = pathway_for(partnership, supervisor, navigator, "Later")
    earlier = pathway_for(partnership, supervisor, navigator, "Earlier")
    given_up = pathway_for(partnership, supervisor, navigator, "GivenUp")
    close_at(local(17, 10), later, navigator)
    close_at(local(16, 10), earlier, navigator)
    close_at(local(15, 10), given_up, navigator, completed=False)
    rows = login(supervisor).get(APPROVALS).context["page_obj"]
    assert [row.referral.patient.first_name for row in rows] == ["Earlier", "Later"]


def test_the_queue_is_found_without_reading_every_referral_of_the_cbo(
    login, partnership, supervisor, navigator
):
    close_at(
        local(16, 10), pathway_for(partnership, supervisor, navigator, "Ana"), navigator
    )
    with CaptureQueriesContext(connection) as queries:
        rows = login(supervisor).get(APPROVALS).context["page_obj"]
    assert [row.referral.patient.first_name for row in rows] == ["Ana"]
    (count,) = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    # A statewide CBO has had a hundred thousand referrals; its queue a few dozen.
    assert "referrals_referral" not in count
