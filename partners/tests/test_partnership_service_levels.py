"""Contract service levels drive when referrals are overdue."""

import datetime

from partners import services
from partners.models import Contract
from referrals.services.timeliness import overdue_cutoffs_by_partnership, service_levels

NOW = datetime.datetime(2026, 3, 11, 18, 0, tzinfo=datetime.UTC)  # a Wednesday


def service_contract(partnership, manager, **fields):
    data = {
        "kind": Contract.Kind.SERVICE,
        "title": "Services",
        "status": Contract.Status.SIGNED,
        "effective_on": datetime.date(2026, 1, 1),
    } | fields
    return services.contract_save(actor=manager, partnership=partnership, data=data)


def test_without_a_contract_the_defaults_apply(partnership, settings):
    assert service_levels(partnership) == settings.REFERRAL_SERVICE_LEVELS


def test_a_signed_contract_in_force_overrides_what_it_states(
    partnership, manager, settings
):
    service_contract(partnership, manager, first_contact_business_days=5)
    levels = service_levels(partnership)
    assert levels["first_contact_business_days"] == 5
    assert (
        levels["accept_business_days"]
        == settings.REFERRAL_SERVICE_LEVELS["accept_business_days"]
    )


def test_draft_or_ended_contracts_do_not_count(partnership, manager, settings):
    service_contract(
        partnership, manager, status=Contract.Status.DRAFT, accept_business_days=9
    )
    service_contract(
        partnership,
        manager,
        ends_on=datetime.date(2026, 1, 31),
        accept_business_days=8,
    )
    assert (
        service_levels(partnership)["accept_business_days"]
        == (settings.REFERRAL_SERVICE_LEVELS["accept_business_days"])
    )


def test_cutoffs_count_the_partnerships_business_days(partnership, manager):
    service_contract(partnership, manager, accept_business_days=2)
    partnership.business_days = [0, 1, 2, 3, 4, 5]  # Saturdays too
    cutoffs = overdue_cutoffs_by_partnership([partnership], now=NOW)[partnership.pk]
    assert cutoffs["accept"].date() == datetime.date(2026, 3, 9)
    partnership.business_days = [0, 2, 4]  # Mondays, Wednesdays, Fridays
    cutoffs = overdue_cutoffs_by_partnership([partnership], now=NOW)[partnership.pk]
    assert cutoffs["accept"].date() == datetime.date(2026, 3, 6)
