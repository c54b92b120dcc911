"""Each referral is overdue under its own partnership's contract, time zone and
business days, however many partnerships are read at once."""

import datetime

import pytest

from partners.selectors import contract_in_force, contracts_in_force
from partners.tests.factories import PartnershipFactory, signed_service_contract
from referrals.services import timeliness

NOW = datetime.datetime(2026, 11, 18, 15, 0, tzinfo=datetime.UTC)  # a Wednesday


@pytest.fixture
def second(partnership):
    """The same CBO with another health system, in another time zone, working
    Monday, Wednesday and Friday."""
    return PartnershipFactory(
        cbo=partnership.cbo, time_zone="America/Los_Angeles", business_days=[0, 2, 4]
    )


def test_the_contract_in_force_of_each_partnership_comes_in_one_query(
    partnership, second, manager, django_assert_num_queries
):
    signed_service_contract(
        partnership, manager, datetime.date(2026, 1, 1), accept_business_days=4
    )
    newer = signed_service_contract(
        partnership, manager, datetime.date(2026, 6, 1), accept_business_days=2
    )
    signed_service_contract(
        partnership, manager, datetime.date(2027, 1, 1), accept_business_days=9
    )
    with django_assert_num_queries(1):
        found = contracts_in_force([partnership, second], with_service_levels=True)
    assert found == {partnership.pk: newer}
    assert contract_in_force(partnership, with_service_levels=True) == newer


def test_cutoffs_by_partnership_are_each_partnerships_own(partnership, second, manager):
    signed_service_contract(
        partnership, manager, datetime.date(2026, 1, 1), accept_business_days=3
    )
    both = timeliness.overdue_cutoffs_by_partnership([partnership, second], now=NOW)
    assert both == {
        p.pk: timeliness.overdue_cutoffs_by_partnership([p], now=NOW)[p.pk]
        for p in (partnership, second)
    }
    # Three business days back from Wednesday is the Friday before; one business
    # day on Monday, Wednesday and Friday is Monday at the same hour (7:00 in Los
    # Angeles).
    assert both[partnership.pk]["accept"].date() == datetime.date(2026, 11, 13)
    assert both[second.pk]["accept"] == datetime.datetime(
        2026, 11, 16, 15, 0, tzinfo=datetime.UTC
    )
