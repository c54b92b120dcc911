from celery import shared_task

from chwlink.lib.outbox import email_pending_ids_to_redeliver, email_send_task
from chwlink.lib.periodic import periodic_run
from chwlink.lib.submissions import form_submissions_expire


@shared_task
def outbox_redeliver_task() -> None:
    with periodic_run("outbox_redeliver_task") as run:
        pending = email_pending_ids_to_redeliver()
        for email_id in pending:
            email_send_task.delay(email_id)
        run["text"] = f"{len(pending)} e-mails re-enqueued"


@shared_task
def form_submissions_expire_task() -> None:
    with periodic_run("form_submissions_expire_task") as run:
        run["text"] = f"{form_submissions_expire()} form tokens forgotten"
