"""The team board: each navigator's active caseload, what is overdue in it, their
languages and last contact, and each partnership's use of its contracted capacity;
only referrals the reader may see count."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partners.models import User
from partners.tests.factories import (
    PartnershipFactory,
    UserFactory,
    signed_service_contract,
)
from referrals.services import assignment
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import (
    accepted_referral,
    assigned_referral,
    closed_referral,
    contact_at,
    on_hold_referral,
)

TEAM = reverse("referrals:team-board")
Role = User.Role
MONDAY = datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)
FRIDAY = datetime.datetime(2026, 11, 6, 18, 0, tzinfo=datetime.UTC)


def loads(response) -> dict:
    return {
        load.navigator.first_name: load
        for load in response.context["board"]["navigators"]
    }


@pytest.fixture
def second_navigator(partnership):
    return UserFactory(
        first_name="Omar",
        role=Role.NAVIGATOR,
        organization=partnership.cbo,
        languages=["vi"],
    )


def test_each_navigator_shows_caseload_overdue_languages_and_last_contact(
    login, supervisor, navigator, second_navigator, clinic_user
):
    with time_machine.travel(MONDAY, tick=False):
        reached = assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        )
        assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        )
        on_hold_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        )
        closed_referral(
            supervisor=supervisor, navigator=second_navigator, clinic_user=clinic_user
        )
    called = MONDAY + datetime.timedelta(days=1)
    contact_at(reached, navigator, called, reached=False)
    with time_machine.travel(FRIDAY, tick=False):
        response = login(supervisor).get(TEAM)
    rows = loads(response)
    nadia, omar = rows["Nadia"], rows["Omar"]
    # Three on the caseload; one never attempted past its first-contact level.
    assert (nadia.active, nadia.overdue, nadia.first_contact_overdue) == (3, 1, 1)
    assert nadia.on_hold == 1
    assert nadia.last_contact_at == called
    assert nadia.languages == ["Spanish", "English"]
    # A closed referral is off the caseload.
    assert (omar.active, omar.overdue) == (0, 0)
    assert omar.languages == ["Vietnamese"]
    assert response.context["board"]["overdue"] == 1
    text = response.content.decode()
    overdue_link = f"?navigator={navigator.code}&amp;overdue=on"
    assert overdue_link in text
    assert f"?navigator={navigator.code}&amp;status=caseload" in text


def test_the_links_open_all_referrals_filtered_by_navigator(
    login, supervisor, navigator, second_navigator, clinic_user
):
    mine = assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    assigned_referral(
        supervisor=supervisor, navigator=second_navigator, clinic_user=clinic_user
    )
    client = login(supervisor)
    page = client.get(
        reverse("referrals:all-referrals"),
        {"navigator": navigator.code, "status": "caseload"},
    ).context["page_obj"]
    assert [r.code for r in page] == [mine.code]


def test_capacity_against_the_contracts_cap(
    login, partnership, manager, supervisor, navigator, clinic_user
):
    signed_service_contract(partnership, manager, max_active_referrals=3)
    accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    ReferralFactory(partnership=partnership)  # not accepted yet: not counted
    response = login(supervisor).get(TEAM)
    (capacity,) = response.context["board"]["capacity"]
    assert (capacity.active, capacity.limit, capacity.full) == (2, 3, False)
    assert response.context["board"]["waiting_for_navigator"] == 1
    assert "2 of 3 active referrals" in response.content.decode()
    accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    response = login(supervisor).get(TEAM)
    assert response.context["board"]["capacity"][0].full
    assert "at capacity" in response.content.decode()


def test_without_a_cap_the_board_says_so(login, supervisor, navigator, clinic_user):
    assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    text = login(supervisor).get(TEAM).content.decode()
    assert "1 active referral, no cap in the contract" in text


def test_a_health_systems_manager_counts_only_its_own_referrals(
    login, partnership, manager, supervisor, navigator, clinic_user
):
    assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    # The same CBO works for another health system.
    elsewhere = PartnershipFactory(cbo=partnership.cbo)
    theirs = ReferralFactory(partnership=elsewhere)
    assignment.referral_assign(referral=theirs, actor=supervisor, navigator=navigator)
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    assert loads(login(supervisor).get(TEAM))["Nadia"].active == 2
    assert loads(login(cbo_manager).get(TEAM))["Nadia"].active == 2
    response = login(manager).get(TEAM)
    assert loads(response)["Nadia"].active == 1
    assert [row.partnership for row in response.context["board"]["capacity"]] == [
        partnership
    ]
    assert "read-only" in response.content.decode()


def test_outsiders_see_no_navigator_of_the_cbo(
    login, navigator, outsiders, other_partnership
):
    for role in (Role.SUPERVISOR, Role.PROGRAM_MANAGER):
        response = login(outsiders[role]).get(TEAM)
        assert "Nadia" not in loads(response)
        assert navigator.get_full_name() not in response.content.decode()


def test_navigators_and_clinic_staff_may_not_open_it(login, navigator, clinic_user):
    assert login(navigator).get(TEAM).status_code == 403
    assert login(clinic_user).get(TEAM).status_code == 403


def test_the_board_reads_in_constant_queries_a_page_at_a_time(
    login, partnership, supervisor, clinic_user, django_assert_max_num_queries
):
    for index in range(30):
        worker = UserFactory(
            role=Role.NAVIGATOR, organization=partnership.cbo, first_name=f"N{index:02}"
        )
        if index % 3 == 0:
            assigned_referral(
                supervisor=supervisor, navigator=worker, clinic_user=clinic_user
            )
    client = login(supervisor)
    # session, user, organization, partnerships, contracts in force (x2), the
    # count and the page of navigators with their last contact, caseload counts,
    # the team's keys, capacity counts, session save (3)
    with django_assert_max_num_queries(15):
        response = client.get(TEAM)
    board = response.context["board"]
    assert len(board["navigators"]) == 25
    # The totals are the whole team's, whatever the page.
    assert board["active"] == 10
    second = client.get(TEAM, {"page": 2})
    names = [
        load.navigator.first_name for load in second.context["board"]["navigators"]
    ]
    assert names == ["N25", "N26", "N27", "N28", "N29"]
    assert second.context["board"]["active"] == 10
    assert "Page 2 of 2" in second.content.decode()
