"""A payment agreement and its rates per pathway are saved together."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from partners import services
from partners.models import Contract, PathwayRate

DATA = {
    "kind": Contract.Kind.PAYMENT,
    "title": "Payment agreement",
    "status": Contract.Status.SIGNED,
    "effective_on": datetime.date(2026, 1, 1),
}


def rates_of(contract):
    return dict(contract.pathway_rates.values_list("kind", "amount"))


def test_rates_are_stored_replaced_and_kept_with_the_contract(manager, partnership):
    contract = services.contract_save(
        actor=manager,
        partnership=partnership,
        data=DATA,
        rates={"housing": Decimal("150.00"), "food_security": Decimal("80.00")},
    )
    assert rates_of(contract) == {
        "housing": Decimal("150.00"),
        "food_security": Decimal("80.00"),
    }
    services.contract_save(
        actor=manager,
        partnership=partnership,
        contract=contract,
        data={"title": "Renamed"},
        rates={"housing": Decimal("175.00")},
    )
    assert rates_of(contract) == {"housing": Decimal("175.00")}
    services.contract_save(
        actor=manager, partnership=partnership, contract=contract, data={}
    )
    assert rates_of(contract) == {"housing": Decimal("175.00")}


def test_a_refused_editor_saves_neither_contract_nor_rates(supervisor, partnership):
    with pytest.raises(PermissionDenied):
        services.contract_save(
            actor=supervisor,
            partnership=partnership,
            data=DATA,
            rates={"housing": Decimal("150.00")},
        )
    assert not Contract.objects.exists()
    assert not PathwayRate.objects.exists()
