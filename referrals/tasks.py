from celery import shared_task

from chwlink.lib.periodic import periodic_run
from referrals.services import notifications, reminders


@shared_task
def reminders_sweep_task() -> None:
    with periodic_run("reminders_sweep_task") as run:
        run["text"] = f"{reminders.reminders_sweep()} reminders sent"


@shared_task
def digests_send_task() -> None:
    with periodic_run("digests_send_task") as run:
        run["text"] = f"{notifications.digests_send()} digests sent"


@shared_task
def api_credentials_expire_task() -> None:
    from referrals.fhir.auth import expired_credentials_delete

    with periodic_run("api_credentials_expire_task") as run:
        run["text"] = f"{expired_credentials_delete()} expired API credentials deleted"


@shared_task(acks_late=True)
def fhir_writeback_send_task(client_id: int) -> None:
    from referrals.fhir.sync import writeback_send

    writeback_send(client_id=client_id)


@shared_task
def fhir_servers_poll_task() -> None:
    from referrals.fhir.sync import servers_poll_due, writebacks_redeliver

    with periodic_run("fhir_servers_poll_task") as run:
        made = servers_poll_due()
        sent = writebacks_redeliver()
        run["text"] = f"{made} referrals received, {sent} status changes sent"


@shared_task
def texts_sweep_task() -> None:
    """Automatic texts now due, and pending texts whose first enqueue was lost."""
    from referrals.texting.automatic import texts_automatic_sweep
    from referrals.texting.outbox import text_pending_ids_to_redeliver, text_send_task

    with periodic_run("texts_sweep_task") as run:
        queued = texts_automatic_sweep()
        pending = text_pending_ids_to_redeliver()
        for message_id in pending:
            text_send_task.delay(message_id)
        run["text"] = f"{queued} automatic texts queued, {len(pending)} re-enqueued"


@shared_task
def texting_records_prune_task() -> None:
    from referrals.texting.receipts import texting_records_prune

    with periodic_run("texting_records_prune_task") as run:
        replays, receipts = texting_records_prune()
        run["text"] = (
            f"{replays} old webhook signatures and {receipts} unclaimed receipts pruned"
        )
