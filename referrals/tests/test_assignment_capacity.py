"""The supervisor sees the contract's capacity where they assign."""

import pytest
from django.urls import reverse

from partners.tests.factories import signed_service_contract
from referrals.tests.states import (
    accepted_referral,
    assigned_referral,
    in_progress_referral,
    submitted_referral,
)


def capped_at(partnership, manager, limit):
    signed_service_contract(partnership, manager, max_active_referrals=limit)


def assign_page(client, referral):
    return client.get(reverse("referrals:referral-assign", args=[referral.code]))


@pytest.fixture
def waiting(clinic_user):
    return submitted_referral(clinic_user=clinic_user)


def test_the_assign_page_counts_accepted_and_worked_referrals_against_the_cap(
    login, partnership, manager, supervisor, navigator, clinic_user, waiting
):
    capped_at(partnership, manager, 3)
    accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    submitted_referral(clinic_user=clinic_user)  # not accepted: does not count
    page = assign_page(login(supervisor), waiting)
    assert page.context["capacity"].active == 2
    text = page.content.decode()
    assert "Active referrals: 2 (the contract allows 3 at a time)." in text
    assert "at capacity" not in text


def test_at_the_cap_the_supervisor_is_warned_before_assigning_one_more(
    login, partnership, manager, supervisor, navigator, clinic_user, waiting
):
    capped_at(partnership, manager, 1)
    in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    text = assign_page(login(supervisor), waiting).content.decode()
    assert "Active referrals: 1 (the contract allows 1 at a time)." in text
    assert "The partnership is at capacity" in text


def test_without_a_cap_or_when_reassigning_no_capacity_is_shown(
    login, partnership, manager, supervisor, navigator, clinic_user, waiting
):
    client = login(supervisor)
    assert 'data-testid="capacity"' not in assign_page(client, waiting).content.decode()
    capped_at(partnership, manager, 1)
    worked = in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    assert 'data-testid="capacity"' not in assign_page(client, worked).content.decode()
    assert 'data-testid="capacity"' in assign_page(client, waiting).content.decode()
