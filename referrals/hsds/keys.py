"""HSDS API keys: made for one organization, shown once, stored as a digest,
revoked rather than deleted."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from partners.models import User
from referrals.models import HsdsApiKey
from referrals.models.hsds import key_digest

PREFIX = "hsds_"


def hsds_key_create(*, actor: User, organization, name: str) -> tuple[HsdsApiKey, str]:
    """A new key for ``organization`` and the key itself (never stored). Staff
    make keys for any organization, a supervisor for their own."""
    if not (
        actor.is_staff
        or (
            actor.role == User.Role.SUPERVISOR
            and actor.organization_id == organization.pk
        )
    ):
        raise PermissionDenied
    raw = PREFIX + secrets.token_urlsafe(32)
    key = HsdsApiKey.objects.create(
        organization=organization,
        name=name.strip() or "HSDS",
        prefix=raw[: len(PREFIX) + 6],
        digest=key_digest(raw),
        created_by=actor,
    )
    return key, raw


def hsds_key_revoke(*, actor: User, key: HsdsApiKey) -> HsdsApiKey:
    if not (
        actor.is_staff
        or (
            actor.role == User.Role.SUPERVISOR
            and actor.organization_id == key.organization_id
        )
    ):
        raise PermissionDenied
    with transaction.atomic():
        HsdsApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    key.refresh_from_db()
    return key


def key_for(raw: str) -> HsdsApiKey | None:
    """The live key a request presents, or None. The digest is looked up, never
    compared by hand; last use is recorded at most once a minute."""
    if not raw or not raw.startswith(PREFIX):
        return None
    key = (
        HsdsApiKey.objects.filter(digest=key_digest(raw), revoked_at__isnull=True)
        .select_related("organization")
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        HsdsApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
