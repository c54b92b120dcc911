"""The fixtures of the security proofs: the world (see ``world.py``), signing in,
the fingerprint a refused request must leave unchanged, and the URL inventory.

The world is built once per module inside a transaction that is rolled back at the
end; each test runs in a savepoint inside it, so tests stay independent and the
database is left as it was found.
"""

from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLResolver, get_resolver
from django.urls.converters import UUIDConverter

from evaluation.models import (
    PamAdministration,
    PamConversionTable,
    Report,
    Story,
    Theme,
    UtilizationImport,
    UtilizationRecord,
)
from partners.models import (
    Contract,
    Partnership,
    PlanTask,
    RequiredTraining,
    Statement,
    TrainingSession,
)
from referrals.models import (
    Notification,
    Pathway,
    Patient,
    Referral,
    ResourceService,
)
from tests.security.world import build

AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"

# The roles of the access matrix; "outsider" is a user of another partnership.
# Not in the matrix: the Django admin (staff-only, its own permission system, tested
# by Django) and django-allauth's sign-in, sign-up, password and MFA pages (reachable
# signed out by design; their rules are allauth's and tested there and in
# partners/tests/test_signin.py). The FHIR API authenticates by bearer token, never
# by the session: its own matrix is tests/security/test_fhir_api_access.py. The
# HSDS API reads by organization key, never by the session: its scoping is tested
# in referrals/tests/test_hsds_api.py.
# The texting webhook is called by the text provider, signed with its auth token and
# never with a session: every request without a valid signature is 403, tested in
# tests/security/test_texting_webhook_access.py.
SKIPPED_NAMESPACES = frozenset({"admin", "fhir", "hsds", "texting-webhook"})
SKIPPED_MODULES = ("allauth.", "django.contrib.admin.")

ROLES = (
    "anonymous",
    "clinic",
    "supervisor",
    "navigator",
    "manager",
    "administrator",
    "outsider",
)


@contextmanager
def world_rolled_back(django_db_blocker, private_dir):
    """Build the world in a transaction that is rolled back when the block ends."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PRIVATE_FILES_DIR=private_dir,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        yield build()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module and rolled back after it."""
    with world_rolled_back(
        django_db_blocker, tmp_path_factory.mktemp("private")
    ) as built:
        yield built


@pytest.fixture
def signed_in(client):
    """A client signed in as the given user (or anonymous for ``None``)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend=AUTH_BACKEND)
        return client

    return sign_in


FINGERPRINTED = (
    Partnership,
    Patient,
    Referral,
    Pathway,
    Notification,
    Contract,
    PlanTask,
    TrainingSession,
    RequiredTraining,
    Statement,
    ResourceService,
    PamAdministration,
    PamConversionTable,
    Story,
    Theme,
    Report,
    UtilizationRecord,
    UtilizationImport,
)


def _fingerprint_sql() -> str:
    # One round trip instead of dozens; every name comes from model metadata.
    parts = []
    for model in FINGERPRINTED:
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT count(*) FROM {table})")  # noqa: S608
        if "updated" in {f.name for f in model._meta.get_fields()}:
            parts.append(f"(SELECT max(updated) FROM {table})")  # noqa: S608
    states = (
        (Referral, "status || ':' || coalesce(navigator_id::text, '')"),
        (Pathway, "status"),
        (Notification, "coalesce(read_at::text, '')"),
    )
    for model, expression in states:
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(
            f"(SELECT md5(string_agg(id || ':' || {expression}, ',' ORDER BY id)) "  # noqa: S608
            f"FROM {table})"
        )
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple:
    """A cheap summary (one query) of the data a refused request must not change:
    row counts, the latest ``updated`` time and the workflow states."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return cursor.fetchone()


def _walk(patterns, namespace=""):
    """(name, takes an object code) for every pattern, through every include."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES or _is_skipped(entry.urlconf_name):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif not _is_skipped(entry.callback.__module__):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry}>"
            converters = entry.pattern.converters.values()
            yield name, any(isinstance(c, UUIDConverter) for c in converters)


def _is_skipped(module) -> bool:
    name = module if isinstance(module, str) else getattr(module, "__name__", "")
    return name.startswith(SKIPPED_MODULES)


def project_url_names() -> list[str]:
    """Every URL name of the project, except the skipped third-party ones."""
    return sorted({name for name, _ in _walk(get_resolver().url_patterns)})


def object_url_names() -> list[str]:
    """The URL names that address one record by its code."""
    return sorted({name for name, coded in _walk(get_resolver().url_patterns) if coded})
