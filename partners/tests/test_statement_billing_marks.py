"""Issuing marks the acceptances and pathways it billed, so later drafts read only
what is not billed yet; the marks only narrow the search, the stored lines decide."""

import datetime
from decimal import Decimal

import pytest

from partners import statements
from partners.models import BillingMethod, User
from partners.statements import statement_compute
from partners.tests.partnership_builders import (
    accepted_referral,
    approved_pathway,
    food_and_housing_pathways,
    payment_agreement,
)
from referrals.models import Pathway, Referral

FEBRUARY = datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def earned(partnership, clinic, supervisor, navigator, manager, time_machine):
    """A food pathway (paid) and a housing one (not paid), each on its own
    accepted referral, in February; then the clock moves to March."""
    time_machine.move_to("2026-02-10 18:00:00+00:00")
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        rates={"food_security": "300.00"},
    )
    food, housing = food_and_housing_pathways(
        partnership, clinic, supervisor, navigator
    )
    time_machine.move_to("2026-03-02 18:00:00+00:00")
    return food, housing


def issue(manager, partnership, month):
    return statements.statement_issue(
        actor=manager, partnership=partnership, period_start=month
    )


def methods(draft):
    return [line.method for line in draft.lines]


def test_issuing_marks_what_it_billed_and_nothing_else(partnership, manager, earned):
    food, housing = earned
    referral = Referral.objects.get(pk=food.referral_id)
    untouched = referral.updated
    events = (referral.history.count(), food.history.count())
    statement = issue(manager, partnership, FEBRUARY)
    food.refresh_from_db()
    housing.refresh_from_db()
    assert (food.billed_at, housing.billed_at) == (statement.issued_at, None)
    assert partnership.statements.get().earners_marked
    billed = Referral.objects.filter(acceptance_billed_at=statement.issued_at)
    assert set(billed.values_list("pk", flat=True)) == {
        food.referral_id,
        housing.referral_id,
    }
    # A billing mark is no change to the referral: no audit event, and the
    # worklists' "last changed" order stays as it was.
    referral.refresh_from_db()
    assert referral.updated == untouched
    assert (referral.history.count(), food.history.count()) == events


def test_what_is_billed_but_not_marked_is_not_billed_again(
    partnership, manager, earned, time_machine
):
    issue(manager, partnership, FEBRUARY)
    # As a bulk load would leave them: the lines stored, the rows not marked.
    Referral.objects.update(acceptance_billed_at=None)
    Pathway.objects.update(billed_at=None)
    partnership.statements.update(earners_marked=False)
    assert statement_compute(partnership=partnership, period_start=MARCH).lines == []
    time_machine.move_to("2026-04-02 18:00:00+00:00")
    assert issue(manager, partnership, MARCH).lines.count() == 0


def test_a_pathway_stored_without_its_partnership_is_billed_through_its_referral(
    partnership, manager, earned
):
    food, _housing = earned
    assert food.partnership == partnership
    Pathway.objects.update(partnership=None)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert methods(draft) == [
        BillingMethod.ACCEPTED_REFERRAL,
        BillingMethod.ACCEPTED_REFERRAL,
        BillingMethod.APPROVED_PATHWAY,
    ]
    assert draft.total == Decimal("500.00")
    statement = issue(manager, partnership, FEBRUARY)
    assert statement.lines.get(method=BillingMethod.APPROVED_PATHWAY).pathway == food


def test_a_pathway_of_another_partnership_without_its_partnership_is_not_billed_here(
    partnership, other_partnership, outsiders, manager, earned
):
    supervisor = outsiders[User.Role.SUPERVISOR]
    theirs = approved_pathway(
        accepted_referral(
            other_partnership, outsiders[User.Role.CLINIC_STAFF].site, supervisor
        ),
        supervisor,
        outsiders[User.Role.NAVIGATOR],
    )
    Pathway.objects.filter(pk=theirs.pk).update(partnership=None)
    issue(manager, partnership, FEBRUARY)
    assert statement_compute(partnership=partnership, period_start=MARCH).lines == []
