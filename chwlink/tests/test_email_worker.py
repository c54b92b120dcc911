import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from chwlink.lib import outbox
from chwlink.lib.models import OutboundEmail, PeriodicRun

pytestmark = pytest.mark.celery_worker

SECOND = datetime.timedelta(seconds=1)


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def sent(email) -> bool:
    # The worker appends to the outbox before it commits the row as sent: wait for
    # the commit, after which the outbox holds the message too.
    return OutboundEmail.objects.filter(
        pk=email.pk, status=OutboundEmail.Status.SENT
    ).exists()


def test_mail_queued_in_a_transaction_is_sent_by_the_worker_after_commit(
    celery_worker,
):
    with transaction.atomic():
        email = outbox.email_queue(
            to="nurse@example.test", subject="Hello", body_text="A referral waits."
        )
        time.sleep(0.5)
        assert mail.outbox == []
    assert wait_for(lambda: sent(email))
    assert [message.to for message in mail.outbox] == [["nurse@example.test"]]


def test_mail_rolled_back_with_its_transaction_is_never_sent(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.email_queue(to="x@example.test", subject="S", body_text="B")
        raise RuntimeError("the work failed")
    time.sleep(1.0)
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_sweep_sends_mail_whose_first_enqueue_was_lost(celery_worker):
    # Pending for longer than the redelivery delay: its first task never arrived.
    # The age is set on the row rather than the delay shrunk to zero, so nothing
    # hangs on the clock having moved since the insert, and the worker thread reads
    # the real setting instead of one the test thread swaps while it runs.
    lost = OutboundEmail.objects.create(to="y@example.test", subject="S", body_text="B")
    OutboundEmail.objects.filter(pk=lost.pk).update(
        created=timezone.now() - settings.OUTBOX_REDELIVER_AFTER - SECOND
    )
    # Just saved, its own task presumably on the way: the sweep leaves it alone.
    fresh = OutboundEmail.objects.create(
        to="z@example.test", subject="S", body_text="B"
    )
    from chwlink.lib.tasks import outbox_redeliver_task

    outbox_redeliver_task.delay()
    assert wait_for(lambda: sent(lost))
    assert [message.to for message in mail.outbox] == [["y@example.test"]]
    assert not sent(fresh)
    run = PeriodicRun.objects.get(task="outbox_redeliver_task")
    assert run.outcome == "1 e-mails re-enqueued"
