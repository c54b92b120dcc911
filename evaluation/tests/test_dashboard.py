import pytest

from referrals.models import Referral
from referrals.tests.factories import ReferralFactory

Status = Referral.Status


@pytest.fixture
def referrals(partnership, navigator):
    ReferralFactory.create_batch(3, partnership=partnership)
    ReferralFactory(partnership=partnership, status=Status.ACCEPTED)
    ReferralFactory(
        partnership=partnership, status=Status.IN_PROGRESS, navigator=navigator
    )
    ReferralFactory(partnership=partnership, status=Status.COMPLETED)
    ReferralFactory(partnership=partnership, status=Status.DECLINED)
    ReferralFactory(partnership=partnership, status=Status.DRAFT)


def test_dashboard_counts_the_partnerships_referrals(login, manager, referrals):
    response = login(manager).get("/evaluation/")
    summary = response.context["summary"]
    assert summary["open"] == 5
    assert summary["waiting_on_cbo"] == 4
    assert summary["with_navigator"] == 1
    assert summary["completed"] == 1
    assert summary["closed_other"] == 1
    by_status = {
        row["status"]: row["total"] for row in response.context["status_counts"]
    }
    assert by_status["Submitted"] == 3


def test_manager_of_another_partnership_sees_none_of_it(login, outsiders, referrals):
    response = login(outsiders["program_manager"]).get("/evaluation/")
    assert response.context["summary"]["open"] == 0


def test_dashboard_queries_do_not_grow_with_referrals(
    login, manager, referrals, django_assert_max_num_queries
):
    client = login(manager)
    # session, user, organization, partnerships, summary aggregate, status counts,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(9):
        client.get("/evaluation/")
