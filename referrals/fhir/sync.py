"""Keeping step with a health system's FHIR server that hosts the Tasks: the
polls (when due, one at a time, their last success and last error shown on the
partnership page) and the write-back outbox (each status change of a referral
reaches the server once, in the order they happened, however long it is down)."""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from partners.calendars import closed_days_by_partnership
from referrals.fhir import emit, remote
from referrals.fhir.status import task_state
from referrals.models import ApiClient, FhirWriteBack, Referral

MAX_BACKOFF = datetime.timedelta(hours=1)


def clients_of_partnership(partnership):
    """The clinic systems linked to a partnership: those chwlink polls for it,
    and those of its health system's clinics that call the API, with how many
    status changes wait to be sent."""
    waiting = Count("writebacks", filter=Q(writebacks__sent_at__isnull=True))
    return (
        ApiClient.objects.filter(is_active=True)
        .filter(
            Q(server_partnership=partnership)
            | Q(server_url="", clinic__organization_id=partnership.health_system_id)
        )
        .select_related("clinic")
        .annotate(waiting=waiting)
        .order_by("name", "pk")
    )


def polled_clients():
    return ApiClient.objects.filter(
        is_active=True, server_partnership__isnull=False
    ).exclude(server_url="")


def server_poll(*, client: ApiClient, now=None) -> int:
    """Poll one server now, if no other worker is polling it (a claim on
    ``polled_at``), and record how it went. Returns the referrals made."""
    now = now or timezone.now()
    claimed = ApiClient.objects.filter(
        Q(polled_at__isnull=True) | Q(polled_at=client.polled_at), pk=client.pk
    ).update(polled_at=now)
    if not claimed:
        return 0
    client.polled_at = now
    try:
        made, problems = remote.poll(client)
    except remote.RemoteError as error:
        ApiClient.objects.filter(pk=client.pk).update(
            sync_error=str(error)[:2000], sync_error_at=now
        )
        return 0
    ApiClient.objects.filter(pk=client.pk).update(
        poll_since=client.poll_since,
        synced_at=now,
        sync_error="\n".join(problems)[:2000],
        sync_error_at=now if problems else None,
    )
    return made


def servers_poll_due(now=None) -> int:
    """The periodic sweep: poll every server whose cadence says it is due."""
    now = now or timezone.now()
    clients = list(
        polled_clients().select_related("server_partnership__cbo", "clinic", "account")
    )
    closed = closed_days_by_partnership(
        {c.server_partnership for c in clients}, around=now.date()
    )
    made = 0
    for client in clients:
        days = closed.get(client.server_partnership_id, frozenset())
        if remote.poll_due(client, now, days):
            made += server_poll(client=client, now=now)
    return made


def _hosted_remotely(referral: Referral) -> ApiClient | None:
    client = referral.api_client
    if client is None or not client.server_url:
        return None
    return client if referral.external_system == remote.base(client) else None


def writeback_enqueue(*, referral: Referral) -> FhirWriteBack | None:
    """Inside the transaction that changed the referral: queue its new Task
    status for the server hosting the Task (nothing when the Task status is the
    same as last sent, as when a navigator is assigned to an accepted one)."""
    if referral.api_client_id is None:
        # Made in the browser: no server hosts its Task (and no query is spent).
        return None
    referral = (
        Referral.objects.select_related("api_client", "partnership__cbo")
        .prefetch_related("pathways")
        .get(pk=referral.pk)
    )
    client = _hosted_remotely(referral)
    if client is None:
        return None
    state = task_state(referral, hosted=False)
    last = FhirWriteBack.objects.filter(referral=referral).order_by("-id").first()
    previous = (last.status, last.reason) if last else ("requested", "")
    if (state.status, state.reason) == previous:
        return None
    queued = FhirWriteBack.objects.create(
        referral=referral,
        client=client,
        status=state.status,
        reason=state.reason,
        procedures=emit.procedure_resources(referral),
    )
    transaction.on_commit(lambda: _send_later(client.pk))
    return queued


def _send_later(client_id: int) -> None:
    from referrals.tasks import fhir_writeback_send_task

    fhir_writeback_send_task.delay(client_id)


def _updated_task(client, token, row: FhirWriteBack, task: dict) -> dict:
    task = dict(task) | {"status": row.status}
    if row.reason:
        task["statusReason"] = {"text": row.reason}
    else:
        task.pop("statusReason", None)
    if row.procedures:
        task["output"] = [
            {
                "type": {"coding": [emit.codes.RESULTING_ACTIVITY]},
                "valueReference": {
                    "reference": _procedure_posted(client, token, p, task)
                },
            }
            for p in row.procedures
        ]
    return task


def _procedure_posted(client, token, procedure: dict, task: dict) -> str:
    """POST the Procedure once (a conditional create on chwlink's id for it)."""
    body = {
        key: value for key, value in procedure.items() if key not in ("id", "meta")
    } | {
        "identifier": [{"system": "urn:chwlink:procedure", "value": procedure["id"]}],
        "basedOn": [task["focus"]] if task.get("focus") else [],
        "subject": task["for"],
    }
    _s, headers, created = remote.call(
        "POST",
        f"{remote.base(client)}Procedure",
        token=token,
        body=body,
        headers={
            "If-None-Exist": f"identifier=urn:chwlink:procedure|{procedure['id']}"
        },
    )
    if isinstance(created, dict) and created.get("id"):
        return f"Procedure/{created['id']}"
    location = headers.get("Location", "")
    return "/".join(location.split("/_history")[0].split("/")[-2:])


def _send_one(client, token, row: FhirWriteBack) -> None:
    url = f"{remote.base(client)}Task/{row.referral.external_id}"
    for _attempt in range(2):
        _s, headers, task = remote.call("GET", url, token=token)
        try:
            remote.call(
                "PUT",
                url,
                token=token,
                body=_updated_task(client, token, row, task),
                headers={"If-Match": headers.get("ETag", "")},
            )
            return
        except remote.RemoteError as error:
            # Someone changed the Task between our read and write: read again.
            if error.status != 412:
                raise
    raise remote.RemoteError(f"PUT {url}: the Task keeps changing (412)", status=412)


def writeback_send(*, client_id: int, now=None) -> int:
    """Send the client's queued status changes, oldest first, each in its own
    transaction holding its row (a second worker skips it). At the first one
    the server does not take, stop: later changes wait behind it, so the server
    sees them in order; that row waits longer after each failure."""
    now = now or timezone.now()
    client = ApiClient.objects.get(pk=client_id)
    token = None
    sent = 0
    while True:
        with transaction.atomic():
            row = (
                FhirWriteBack.objects.select_for_update(skip_locked=True)
                .select_related("referral")
                .filter(client_id=client_id, sent_at__isnull=True)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .order_by("id")
                .first()
            )
            if row is None or _earlier_pending(row):
                return sent
            try:
                token = token or remote.token_for(client)
                _send_one(client, token, row)
            except remote.RemoteError as error:
                row.attempts += 1
                row.last_error = str(error)[:2000]
                row.next_attempt_at = now + min(
                    MAX_BACKOFF, datetime.timedelta(minutes=2**row.attempts)
                )
                row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                return sent
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
            sent += 1


def _earlier_pending(row: FhirWriteBack) -> bool:
    """An older change of the same client still waits (backing off): this one
    may not overtake it."""
    return FhirWriteBack.objects.filter(
        client_id=row.client_id, sent_at__isnull=True, id__lt=row.id
    ).exists()


def writebacks_redeliver(now=None) -> int:
    """The periodic sweep: retry every client with changes waiting."""
    now = now or timezone.now()
    waiting = (
        FhirWriteBack.objects.filter(sent_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("client_id", flat=True)
        .distinct()
    )
    return sum(writeback_send(client_id=client_id, now=now) for client_id in waiting)
