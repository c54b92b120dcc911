"""The plumbing app as operators meet it: the workers know every task the scheduler
and older queues name, and administrators find the outbox, the access log and the
periodic runs in the admin."""

from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chwlink.celery import app
from chwlink.lib import outbox
from chwlink.lib.models import AccessRecord, PeriodicRun


@pytest.fixture
def worker_tasks():
    # What a worker registers at start-up: every installed app's tasks module.
    app.loader.import_default_modules()
    return app.tasks


def test_an_email_queued_under_the_old_task_name_is_still_sent(db, worker_tasks):
    email = outbox.email_queue(to="ana@example.org", subject="Hi", body_text="Text")
    worker_tasks["partners.tasks.email_send_task"].run(email.pk)
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_scheduled_task_is_known_to_the_workers(entry, worker_tasks):
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in worker_tasks


def test_the_administrator_finds_the_plumbing_records_in_the_admin(
    login, administrator, supervisor
):
    email = outbox.email_queue(to="ana@example.org", subject="Hi", body_text="Text")
    AccessRecord.objects.create(
        user=supervisor,
        organization=supervisor.organization,
        object_type=AccessRecord.ObjectType.REFERRAL,
        action=AccessRecord.Action.VIEW,
        path="/referrals/inbox/",
    )
    PeriodicRun.objects.create(
        task="reminders_sweep_task",
        started_at=timezone.now(),
        outcome="3 reminders sent",
    )
    client = login(administrator)
    pages = {
        "admin:plumbing_outboundemail_changelist": "ana@example.org",
        "admin:plumbing_accessrecord_changelist": "/referrals/inbox/",
        "admin:plumbing_periodicrun_changelist": "3 reminders sent",
        "admin:index": "System records",
    }
    for name, shown in pages.items():
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert shown in response.content.decode()
    change = reverse("admin:plumbing_outboundemail_change", args=[email.pk])
    assert "Text" in client.get(change).content.decode()


def test_the_periodic_runs_are_only_shown_in_the_admin(login, administrator):
    run = PeriodicRun.objects.create(
        task="digests_send_task", started_at=timezone.now()
    )
    client = login(administrator)
    assert client.get(reverse("admin:plumbing_periodicrun_add")).status_code == 403
    delete = reverse("admin:plumbing_periodicrun_delete", args=[run.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PeriodicRun.objects.filter(pk=run.pk).exists()


def test_the_schedule_command_says_when_each_periodic_task_last_ran(db):
    PeriodicRun.objects.create(
        task="outbox_redeliver_task",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome="2 e-mails re-enqueued",
    )
    out = StringIO()
    call_command("schedule", stdout=out)
    lines = out.getvalue().splitlines()
    redeliver = lines.index(next(line for line in lines if "outbox-redeliver" in line))
    assert "2 e-mails re-enqueued" in lines[redeliver + 1]
    assert "never ran" in out.getvalue()
