"""Two supervisors act on the same referral at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection

from partners.tests.factories import UserFactory
from referrals.models import Referral, ReferralEvent
from referrals.services import assignment, workflow
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*actions):
    """Start the actions in threads released at once; return results or errors."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            # Each thread reads its own copy first, as two browsers would.
            prepared = action()
            barrier.wait()
            outcomes[index] = prepared()
        except Exception as error:  # noqa: BLE001 - the outcome is what we test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, action))
        for index, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_supervisors_assigning_at_once_one_wins(partnership, supervisor):
    other_supervisor = UserFactory(role="supervisor", organization=partnership.cbo)
    first = UserFactory(role="navigator", organization=partnership.cbo)
    second = UserFactory(role="navigator", organization=partnership.cbo)
    referral = ReferralFactory(partnership=partnership)

    def assign(actor, navigator):
        def prepare():
            copy = Referral.objects.select_related("partnership").get(pk=referral.pk)
            return lambda: assignment.referral_assign(
                referral=copy, actor=actor, navigator=navigator
            )

        return prepare

    outcomes = run_together(assign(supervisor, first), assign(other_supervisor, second))
    winners = [o for o in outcomes if isinstance(o, Referral)]
    losers = [o for o in outcomes if isinstance(o, workflow.ReferralConflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    referral.refresh_from_db()
    assert referral.navigator == winners[0].navigator
    assert ReferralEvent.objects.filter(referral=referral).count() == 1
    assert "before you" in str(losers[0])


def test_accept_and_decline_at_once_leave_one_decision(partnership, supervisor):
    other_supervisor = UserFactory(role="supervisor", organization=partnership.cbo)
    referral = ReferralFactory(partnership=partnership)

    def act(actor, name, reason_code=""):
        def prepare():
            copy = Referral.objects.select_related("partnership").get(pk=referral.pk)
            return lambda: workflow.referral_transition(
                referral=copy, actor=actor, name=name, reason_code=reason_code
            )

        return prepare

    outcomes = run_together(
        act(supervisor, "accept"),
        act(other_supervisor, "decline", "no_capacity"),
    )
    assert sum(isinstance(o, Referral) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, workflow.ReferralConflict) for o in outcomes) == 1
    referral.refresh_from_db()
    assert referral.status in {Referral.Status.ACCEPTED, Referral.Status.DECLINED}
    assert referral.events.count() == 1
