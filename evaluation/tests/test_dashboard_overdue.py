"""The dashboard's overdue count: the inbox's late referrals and the caseloads'.

Service levels are the defaults (accept and assign within 1 business day, first
contact within 3, no activity for more than 14 days); the partnership is in
Los Angeles. Every state is reached through the workflow services.
"""

import csv
import datetime
import io

import pytest
import time_machine

from evaluation.tests.factories import (
    caseload_referral,
    contact_logged,
)
from referrals.models import Referral
from referrals.selectors import caseload_for_navigator
from referrals.services import workflow
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
# Wednesday 11 March 2026, 11:00 in Los Angeles (PDT).
NOW = datetime.datetime(2026, 3, 11, 18, 0, tzinfo=UTC)


def at(moment, build, **kwargs):
    with time_machine.travel(moment, tick=False):
        return build(**kwargs)


def worked(*, team, assigned, contacts=()):
    """Assigned at ``assigned``; each contact in ``contacts`` reached the patient."""
    referral = at(assigned, caseload_referral, **team)
    for moment in contacts:
        referral = at(
            moment,
            contact_logged,
            referral=referral,
            navigator=team["navigator"],
            occurred_at=moment,
        )
    return referral


@pytest.fixture
def team(partnership, supervisor, navigator):
    return {
        "partnership": partnership,
        "supervisor": supervisor,
        "navigator": navigator,
    }


def dashboard(client, query=""):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/evaluation/{query}")


def navigator_row(data, navigator):
    rows = data["tables"]["navigators"]["rows"]
    return next(row for row in rows if row[0] == str(navigator))


def test_overdue_counts_caseload_referrals_late_for_first_contact_or_inactive(
    login, manager, partnership, team, navigator
):
    # Late in the inbox: sent nine days ago, never accepted.
    at(datetime.datetime(2026, 3, 2, 18, tzinfo=UTC), ReferralFactory,
       partnership=partnership)  # fmt: skip
    at(NOW, ReferralFactory, partnership=partnership)
    # Assigned a week ago, never reached: late for its first contact.
    worked(team=team, assigned=datetime.datetime(2026, 3, 2, 18, tzinfo=UTC))
    # Assigned this morning: not late.
    worked(team=team, assigned=NOW - datetime.timedelta(hours=2))
    # Reached once, 19 days ago, nothing since: inactive.
    old = datetime.datetime(2026, 2, 20, 18, tzinfo=UTC)
    worked(team=team, assigned=old, contacts=[old])
    # Reached 19 days ago and again yesterday: active.
    worked(team=team, assigned=old, contacts=[old, NOW - datetime.timedelta(days=1)])

    data = dashboard(login(manager)).context["data"]

    assert data["figures"]["overdue"] == 3
    kpis = {row[0]: row[1] for row in data["tables"]["kpis"]["rows"]}
    assert kpis["Overdue referrals"] == 3
    assert navigator_row(data, navigator)[1:3] == [4, 2]


def test_inactive_is_overdue_from_exactly_the_level_as_on_the_caseload(
    login, manager, team, navigator
):
    # Overdue once the due moment has come: the caseload and the reminder agree.
    start = datetime.datetime(2026, 2, 10, 18, tzinfo=UTC)
    fourteen_days = NOW - datetime.timedelta(days=14)
    worked(team=team, assigned=start, contacts=[fourteen_days])
    worked(
        team=team,
        assigned=start,
        contacts=[fourteen_days + datetime.timedelta(minutes=1)],
    )

    data = dashboard(login(manager)).context["data"]

    assert data["figures"]["overdue"] == 1
    assert navigator_row(data, navigator)[1:3] == [2, 1]


def test_a_referral_on_hold_is_on_the_caseload_but_not_overdue(
    login, manager, team, navigator
):
    old = datetime.datetime(2026, 2, 2, 18, tzinfo=UTC)
    referral = worked(team=team, assigned=old, contacts=[old])
    at(old, workflow.referral_transition, referral=referral, actor=navigator,
       name="hold", reason_code="waitlisted")  # fmt: skip

    data = dashboard(login(manager)).context["data"]

    assert Referral.objects.get().status == Referral.Status.ON_HOLD
    assert data["figures"]["overdue"] == 0
    assert navigator_row(data, navigator)[1:3] == [1, 0]


def test_overdue_caseload_referrals_reach_the_csv_and_the_shared_view(
    login, manager, team
):
    for day in range(10):
        worked(team=team, assigned=datetime.datetime(2026, 2, 2 + day, 18, tzinfo=UTC))
    client = login(manager)

    with time_machine.travel(NOW, tick=False):
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get("/evaluation/export/kpis.csv").getvalue().decode()
                )
            )
        )
    shared = dashboard(client, "?shared=on").context["tables"]["kpis"]["rows"]

    assert ["Overdue referrals", "10", "10"] in rows
    assert ["Overdue referrals", 10, 10] in shared


def test_dashboard_and_caseload_agree_on_a_partnership_with_its_own_business_days(
    login, manager, partnership, team, navigator
):
    partnership.business_days = [0, 2, 4]
    partnership.save()
    # Assigned Tuesday 3 March, 14:00; three Monday/Wednesday/Friday business days
    # later is Monday 9 March, 14:00: at 10:00 that Monday it is not late yet
    # (with Monday to Friday it would be).
    worked(team=team, assigned=datetime.datetime(2026, 3, 3, 22, tzinfo=UTC))
    monday = datetime.datetime(2026, 3, 9, 17, tzinfo=UTC)

    with time_machine.travel(monday, tick=False):
        data = login(manager).get("/evaluation/").context["data"]
        caseload = list(caseload_for_navigator(user=navigator))

    assert [referral.is_overdue for referral in caseload] == [0]
    assert data["figures"]["overdue"] == 0
    assert navigator_row(data, navigator)[1:3] == [1, 0]
