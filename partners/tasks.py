from celery import shared_task

from partners import services

TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OSError)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def email_send_task(email_id: int) -> None:
    services.email_send(email_id=email_id)


@shared_task
def outbox_redeliver_task() -> None:
    from referrals.services.operations import periodic_run

    with periodic_run("outbox_redeliver_task") as run:
        pending = services.email_pending_ids_to_redeliver()
        for email_id in pending:
            email_send_task.delay(email_id)
        run["text"] = f"{len(pending)} e-mails re-enqueued"
