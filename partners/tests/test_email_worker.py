import datetime
import time

import pytest
from django.core import mail
from django.db import transaction

from partners import services
from partners.models import OutboundEmail

pytestmark = pytest.mark.celery_worker


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_mail_queued_in_a_transaction_is_sent_by_the_worker_after_commit(
    celery_worker,
):
    with transaction.atomic():
        email = services.email_queue(
            to="nurse@example.test", subject="Hello", body_text="A referral waits."
        )
        time.sleep(0.5)
        assert mail.outbox == []
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["nurse@example.test"]
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_mail_rolled_back_with_its_transaction_is_never_sent(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.email_queue(to="x@example.test", subject="S", body_text="B")
        raise RuntimeError("the work failed")
    time.sleep(1.0)
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_sweep_sends_mail_whose_first_enqueue_was_lost(celery_worker, settings):
    settings.OUTBOX_REDELIVER_AFTER = datetime.timedelta(0)
    email = OutboundEmail.objects.create(
        to="y@example.test", subject="S", body_text="B"
    )
    from partners.tasks import outbox_redeliver_task

    outbox_redeliver_task.delay()
    assert wait_for(lambda: len(mail.outbox) == 1)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
