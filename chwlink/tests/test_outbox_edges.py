"""The outbox at its edges: a broker that is down loses no mail, each send sends
the e-mail asked for, and an attachment keeps the type it was queued with."""

from django.core import mail
from django.db import transaction

from chwlink.lib import outbox
from chwlink.lib.models import OutboundEmail


def queued(**fields):
    data = {"to": "ana@example.org", "subject": "Hello", "body_text": "Text"} | fields
    return outbox.email_queue(**data)


def test_a_broker_that_is_down_keeps_the_mail_pending_for_the_sweep(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(email_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("chwlink.lib.outbox.email_send_task.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = queued()
    assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.PENDING
    assert outbox.email_send(email_id=email.pk) is True


def test_sending_one_mail_sends_that_one_and_leaves_the_others_pending(db):
    first, second, third = (queued(subject=s) for s in ("First", "Second", "Third"))
    for email in (second, first):
        assert outbox.email_send(email_id=email.pk) is True
    assert [message.subject for message in mail.outbox] == ["Second", "First"]
    assert OutboundEmail.objects.get(pk=third.pk).status == OutboundEmail.Status.PENDING


def test_an_attachment_keeps_the_type_it_was_queued_with(db):
    email = queued(attachment=("extract.dat", "Hello", "text/plain"))
    outbox.email_send(email_id=email.pk)
    [message] = mail.outbox
    assert message.attachments == [("extract.dat", "Hello", "text/plain")]
