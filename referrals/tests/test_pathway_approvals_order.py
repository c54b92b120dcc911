"""The approvals queue shows completed pathways only, the longest-waiting first."""

import datetime
import zoneinfo

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
