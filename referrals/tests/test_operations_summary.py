"""The supervisor's weekly operations figures: what counts as closed, completed and a
contact this week, and every active navigator of the CBO listed by first name, idle
ones with zeros."""

import datetime
import zoneinfo

from evaluation.tests.factories import caseload_referral
from partners.models import User
from partners.tests.factories import UserFactory
from referrals import selectors
from referrals.services import workflow
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import at, closing_of, contact_at

Role = User.Role
PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")
SINCE = datetime.datetime(2026, 11, 11, 0, tzinfo=PORTLAND)
NOW = datetime.datetime(2026, 11, 18, 10, tzinfo=PORTLAND)


def local(month, day, hour):
    return datetime.datetime(2026, month, day, hour, tzinfo=PORTLAND)


def summary_for(supervisor):
    return at(
        NOW,
        selectors.operations_summary_for_supervisor,
        user=supervisor,
        since=SINCE,
    )


def completed_at(moment, *, partnership, supervisor, navigator):
    referral = at(
        moment,
        caseload_referral,
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
    )
    contact_at(referral, navigator, moment + datetime.timedelta(hours=1))
    return at(
        moment + datetime.timedelta(hours=2),
        workflow.referral_transition,
        referral=referral,
        actor=navigator,
        name="complete",
        **closing_of(referral),
    )


def test_closed_completed_and_waiting_count_this_weeks_referrals(
    partnership, supervisor, navigator
):
    completed_at(
        local(11, 3, 10),
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
    )  # closed last week
    completed_at(
        local(11, 12, 10),
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
    )
    at(
        local(11, 13, 10),
        workflow.referral_transition,
        referral=at(local(11, 13, 9), ReferralFactory, partnership=partnership),
        actor=supervisor,
        name="decline",
        reason_code="out_of_scope",
    )
    at(
        local(11, 14, 9),
        workflow.referral_transition,
        referral=at(local(11, 14, 8), ReferralFactory, partnership=partnership),
        actor=supervisor,
        name="accept",
    )
    summary = summary_for(supervisor)
    assert (summary["received"], summary["closed"], summary["completed"]) == (3, 2, 1)
    assert (summary["waiting_acceptance"], summary["waiting_assignment"]) == (0, 1)


def test_every_active_navigator_is_listed_by_first_name_idle_ones_with_zeros(
    partnership, supervisor, navigator, other_partnership
):
    UserFactory(
        role=Role.NAVIGATOR, organization=partnership.cbo, first_name="Zoe"
    )  # nothing to do this week
    aaron = UserFactory(
        role=Role.NAVIGATOR, organization=partnership.cbo, first_name="Aaron"
    )
    UserFactory(
        role=Role.NAVIGATOR,
        organization=partnership.cbo,
        first_name="Ben",
        is_active=False,
    )
    UserFactory(role=Role.NAVIGATOR, organization=other_partnership.cbo)
    busy = at(
        local(11, 10, 10),
        caseload_referral,
        partnership=partnership,
        supervisor=supervisor,
        navigator=aaron,
    )
    contact_at(busy, aaron, local(11, 10, 11))  # before the week began
    contact_at(busy, aaron, local(11, 12, 11))
    contact_at(busy, aaron, local(11, 13, 11))
    at(
        local(11, 17, 10),
        caseload_referral,
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
    )
    rows = [
        (row["name"].split()[0], row["active"], row["overdue"], row["contacts"])
        for row in summary_for(supervisor)["navigators"]
    ]
    assert rows == [
        ("Aaron", 1, 0, 2),
        ("Nadia", 1, 0, 0),
        ("Zoe", 0, 0, 0),
    ]
