"""Builders shared by the partnership, statement, plan and training tests."""

import datetime
from decimal import Decimal

from partners import services
from partners.models import Contract
from referrals.services import assignment, pathways, workflow
from referrals.tests.factories import ReferralFactory

START = datetime.date(2026, 1, 1)


def payment_agreement(partnership, manager, rates=None, **terms):
    data = {
        "kind": Contract.Kind.PAYMENT,
        "title": "Payment agreement",
        "status": Contract.Status.SIGNED,
        "effective_on": START,
    } | terms
    contract = services.contract_save(actor=manager, partnership=partnership, data=data)
    if rates:
        services.pathway_rates_set(
            actor=manager,
            contract=contract,
            rates={kind: Decimal(amount) for kind, amount in rates.items()},
        )
    return contract


def accepted_referral(partnership, clinic, supervisor, **fields):
    referral = ReferralFactory(partnership=partnership, clinic=clinic, **fields)
    return workflow.referral_transition(
        referral=referral, actor=supervisor, name="accept"
    )


def approved_pathway(referral, supervisor, navigator, need="food-insecurity"):
    referral = assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need=need, goal="Need met"
    )
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="Ok")
    pathway.refresh_from_db()
    return pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)


def food_and_housing_pathways(partnership, clinic, supervisor, navigator):
    """An approved food pathway and an approved housing one, each on its own
    accepted referral."""
    return tuple(
        approved_pathway(
            accepted_referral(partnership, clinic, supervisor, social_needs=[need]),
            supervisor,
            navigator,
            need=need,
        )
        for need in ("food-insecurity", "housing-instability")
    )
