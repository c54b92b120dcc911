"""Exactly-once under concurrent sweeps, a real worker on Redis, and Redis down."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from chwlink.lib import outbox
from chwlink.lib.models import OutboundEmail
from partners.tests.factories import UserFactory
from referrals.models import Notification, Referral, ReminderClaim
from referrals.services import reminders
from referrals.tests import states
from referrals.tests.factories import ReferralFactory

OVERDUE = datetime.timedelta(days=6)


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(partnership, supervisor):
    UserFactory(role="supervisor", organization=partnership.cbo)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) - OVERDUE):
        ReferralFactory.create_batch(3, partnership=partnership)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(reminders.reminders_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results) == 3
    assert ReminderClaim.objects.count() == 3
    # Two supervisors, three referrals: six notifications, never twelve.
    assert Notification.objects.filter(kind="not_accepted").count() == 6


@pytest.mark.celery_worker
def test_worker_sends_a_reminder_end_to_end(celery_worker, partnership, supervisor):
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) - OVERDUE):
        referral = ReferralFactory(partnership=partnership)
    from referrals.tasks import reminders_sweep_task

    reminders_sweep_task.delay()
    assert wait_for(lambda: len(mail.outbox) == 1)
    notification = Notification.objects.get(recipient=supervisor)
    assert notification.referral == referral
    assert mail.outbox[0].to == [supervisor.email]
    assert f"/referrals/{referral.code}/" in mail.outbox[0].body
    assert referral.patient.last_name not in mail.outbox[0].body


@pytest.fixture
def broker_down():
    """Point Celery at a port where no Redis listens, then restore it."""
    from chwlink.celery import app

    def forget_connections():
        # Celery pools broker connections and producers; drop them so the next
        # publish connects to the configured URL.
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    forget_connections()
    yield
    app.conf.broker_url = previous
    forget_connections()


@pytest.mark.django_db(transaction=True)
def test_redis_down_at_save_loses_nothing(
    login, clinic_user, supervisor, partnership, clinic, settings, broker_down, caplog
):
    referral = states.draft_referral(clinic_user=clinic_user)
    response = login(clinic_user).post(
        reverse("referrals:referral-submit", args=[referral.code])
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED
    assert "on_commit" in caplog.text  # the enqueue was tried, failed, and was logged
    assert Notification.objects.filter(
        recipient=supervisor, kind="new_referral"
    ).exists()
    pending = OutboundEmail.objects.get(to=supervisor.email)
    assert pending.status == OutboundEmail.Status.PENDING
    # The periodic sweep picks it up once the broker is back.
    settings.OUTBOX_REDELIVER_AFTER = datetime.timedelta(0)
    assert outbox.email_pending_ids_to_redeliver() == [pending.pk]
    outbox.email_send(email_id=pending.pk)
    assert len(mail.outbox) == 1
