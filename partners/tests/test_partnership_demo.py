"""The partnership setup demo loads once and gives each page something to show."""

import pytest
from django.utils import timezone

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
    # A statement for every month of the agreement that has ended.
    today = timezone.localdate()
    start = partnership.started_on
    ended = (today.year - start.year) * 12 + today.month - start.month
    issued = partnership.statements.values_list("period_start", flat=True)
    assert len(set(issued)) == partnership.statements.count() == ended
    assert partnership.plan_tasks.filter(status=PlanTask.Status.DONE).exists()
    assert partnership.plan_tasks.exclude(status=PlanTask.Status.DONE).exists()
    assert partnership.training_sessions.count() == 2
    assert partnership.required_trainings.count() == 4
    assert partnership.clinics.count() == 3
