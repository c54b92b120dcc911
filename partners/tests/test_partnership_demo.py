"""The partnership setup demo loads once and gives each page something to show."""

import pytest

from partners.demo import seed_demo
from partners.demo_partnership import PARTNERSHIP, seed_partnership_setup
from partners.models import Partnership, PlanTask
from referrals.demo import seed_referrals

pytestmark = pytest.mark.django_db


def test_demo_setup_is_idempotent_and_complete():
    seed_demo()
    seed_referrals()
    seed_partnership_setup()
    seed_partnership_setup()
    partnership = Partnership.objects.get(name=PARTNERSHIP)
    assert partnership.contracts.count() == 3
    assert partnership.statements.count() == 1
    assert partnership.plan_tasks.filter(status=PlanTask.Status.DONE).exists()
    assert partnership.plan_tasks.exclude(status=PlanTask.Status.DONE).exists()
    assert partnership.training_sessions.count() == 2
    assert partnership.required_trainings.count() == 4
    assert partnership.clinics.count() == 2
