"""The fixed cast every test can use.

One partnership (Cascade-like health system with two clinics + a CBO) and its people,
plus an outsider partnership whose users must never see the first one's records.
"""

import os
import socket

import pytest
from django.conf import settings as django_settings
from django.db.backends.postgresql.operations import DatabaseOperations
from django.utils import translation

from partners.models import User
from partners.tests.factories import (
    PartnershipFactory,
    SiteFactory,
    UserFactory,
)

Role = User.Role
AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def service_missing(reason: str):
    """Skip on a developer machine, fail in CI: CI must prove everything."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


def tcp_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def audit_tables_emptied_between_transactional_tests():
    """Transactional and live-server tests empty every table with TRUNCATE after
    each test, and the audit tables refuse TRUNCATE. The test database's superuser
    empties them in replication mode, where ordinary triggers do not fire (as
    ``bench/generate.py`` does); nothing outside the tests does this."""
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        replica = "SET LOCAL session_replication_role = replica"
        return original(self, [replica, *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture
def partnership(db):
    return PartnershipFactory(
        name="Home partnership",
        health_system__name="Home Health System",
        cbo__name="Home CBO",
    )


@pytest.fixture
def clinic(partnership):
    return SiteFactory(organization=partnership.health_system, name="North Clinic")


@pytest.fixture
def other_clinic(partnership):
    return SiteFactory(organization=partnership.health_system, name="South Clinic")


@pytest.fixture
def clinic_user(partnership, clinic):
    return UserFactory(
        email="clinic@home.test",
        first_name="Carla",
        role=Role.CLINIC_STAFF,
        organization=partnership.health_system,
        site=clinic,
    )


@pytest.fixture
def supervisor(partnership):
    return UserFactory(
        email="supervisor@home.test",
        first_name="Sara",
        role=Role.SUPERVISOR,
        organization=partnership.cbo,
        languages=["es", "en"],
    )


@pytest.fixture
def navigator(partnership):
    return UserFactory(
        email="navigator@home.test",
        first_name="Nadia",
        role=Role.NAVIGATOR,
        organization=partnership.cbo,
        languages=["es", "en"],
    )


@pytest.fixture
def manager(partnership):
    return UserFactory(
        email="manager@home.test",
        first_name="Mateo",
        role=Role.PROGRAM_MANAGER,
        organization=partnership.health_system,
    )


@pytest.fixture
def administrator(partnership):
    return UserFactory(
        email="admin@home.test",
        first_name="Ada",
        role=Role.ADMINISTRATOR,
        organization=partnership.health_system,
        is_superuser=True,
    )


@pytest.fixture
def other_partnership(db):
    return PartnershipFactory(
        name="Other partnership",
        health_system__name="Other Health System",
        cbo__name="Other CBO",
    )


@pytest.fixture
def outsiders(other_partnership):
    """One user per role from an unrelated partnership."""
    health_system = other_partnership.health_system
    cbo = other_partnership.cbo
    site = SiteFactory(organization=health_system, name="Other Clinic")
    return {
        Role.CLINIC_STAFF: UserFactory(
            role=Role.CLINIC_STAFF, organization=health_system, site=site
        ),
        Role.SUPERVISOR: UserFactory(role=Role.SUPERVISOR, organization=cbo),
        Role.NAVIGATOR: UserFactory(role=Role.NAVIGATOR, organization=cbo),
        Role.PROGRAM_MANAGER: UserFactory(
            role=Role.PROGRAM_MANAGER, organization=health_system
        ),
    }


@pytest.fixture
def login(client):
    """Sign a user in on the test client and return the client."""

    def sign_in(user):
        client.force_login(user, backend=AUTH_BACKEND)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Spanish leaves the thread's language set (as it does between
    requests in production, where every request sets its own): the next test
    starts in English again."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        service_missing("REDIS_URL is not set: Celery tests need a Redis server")
    return url


@pytest.fixture
def celery_worker(redis_url, transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming from Redis.

    The queues are emptied first. Tests and runs without a worker (live-server and
    transactional tests, an earlier run on the same Redis) leave tasks behind; the
    worker would run that backlog first, for rows long gone, and spend the seconds
    a test waits for its own task (1,500 stale tasks outlast a 15-second wait).
    """
    from celery.contrib.testing.worker import start_worker

    from chwlink.celery import app

    queues = ("celery", "reports")
    with app.connection_for_write() as connection:
        for queue in queues:
            connection.default_channel.queue_purge(queue)
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        queues=",".join(queues),
    ):
        yield app


@pytest.fixture
def reauthenticated(login):
    """Sign a user in and confirm the password again, as patient-level exports need."""
    from django.urls import reverse

    from partners.tests.factories import PASSWORD

    def sign_in(user):
        client = login(user)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        return client

    return sign_in


@pytest.fixture(autouse=True)
def cache_emptied_after_each_test():
    """allauth counts sign-ins per address in the cache (30 a minute from one
    address): left between tests, the browser tests' many sign-ins from 127.0.0.1
    reach that limit and the next one is refused with 429."""
    yield
    from django.core.cache import cache

    cache.clear()
