"""The world of the security proofs stands on its own: it builds with the demo out of
reach, and each record a proof asks about belongs to the home partnership, so an
outsider's 404 is a refusal, not a missing row."""

import importlib
import inspect
import os
import subprocess
import sys
import textwrap

import pytest
from django.db.models import Q
from django.urls import reverse

from partners.models import Partnership, User
from referrals.models import Referral
from tests.security.conftest import ROLES, object_url_names, world_rolled_back
from tests.security.matrix import MATRIX

pytestmark = pytest.mark.django_db

DEMO_MODULES = (
    "partners.demo",
    "partners.demo_partnership",
    "referrals.demo",
    "referrals.demo_directory",
    "evaluation.demo",
    "partners.management.commands.seed_demo",
)
SECURITY_MODULES = (
    "tests.security.conftest",
    "tests.security.world",
    "tests.security.matrix",
    "tests.security.test_access_matrix",
    "tests.security.test_bad_input",
    "tests.security.test_no_phi_leaks",
    "tests.security.test_url_inventory",
)


def _refuse(*args, **kwargs):
    raise AssertionError("The security world must not use the demo data.")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world built while every function of the demo modules fails, however it
    was imported (its code is replaced, not just its name in the module)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in DEMO_MODULES:
            module = importlib.import_module(name)
            functions = [
                value
                for value in vars(module).values()
                if inspect.isfunction(value) and value.__module__ == name
            ]
            if hasattr(module, "Command"):
                functions.append(module.Command.handle)
            assert functions, name
            for function in functions:
                patch.setattr(function, "__code__", _refuse.__code__)
        with world_rolled_back(
            django_db_blocker, tmp_path_factory.mktemp("private")
        ) as built:
            yield built


def test_the_security_proofs_import_no_demo_module():
    blocked = textwrap.dedent(
        f"""
        import sys
        for name in {DEMO_MODULES!r}:
            sys.modules[name] = None  # importing it now raises ImportError
        import django
        django.setup()
        for name in {SECURITY_MODULES!r}:
            __import__(name)
        """
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", blocked],
        capture_output=True,
        text=True,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "chwlink.settings"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_world_builds_with_the_demo_loaders_failing(world):
    assert not Partnership.objects.filter(name__startswith="Cascade").exists()
    assert set(world.users) == set(ROLES) - {"anonymous"}
    assert set(object_url_names()) & set(MATRIX) <= set(world.kwargs)
    for name in MATRIX:
        assert reverse(name, kwargs=world.kwargs.get(name, {}))


def _owners(records) -> dict:
    """For each record, the partnerships of the organizations that own it."""

    def of(organization_id):
        return set(
            Partnership.objects.accepted().filter(
                Q(health_system_id=organization_id) | Q(cbo_id=organization_id)
            )
        )

    referral_kinds = ("draft", "submitted", "accepted", "assigned", "working")
    return {
        **{name: {records[name].partnership} for name in referral_kinds},
        **{
            name: {records[name].partnership}
            for name in ("contract", "payment", "task", "required", "session", "text")
        },
        "statement": {records["statement"].partnership},
        "pathway": {records["pathway"].referral.partnership},
        "screening": {records["screening"].referral.partnership},
        "step": {records["step"].pathway.referral.partnership},
        "notification": {records["notification"].referral.partnership}
        & of(records["notification"].recipient.organization_id),
        "service": of(records["service"].organization.directory_owner_id),
        "hsds_import": of(records["hsds_import"].directory_owner_id),
        "table": of(records["table"].organization_id),
        "pam": {records["pam"].partnership}
        & of(records["pam"].patient.health_system_id),
        "story": {records["story"].partnership},
        "theme": of(records["theme"].organization_id),
        "utilization": of(records["utilization"].patient.health_system_id),
        "upload": of(records["upload"].health_system_id),
        "report": of(records["report"].owner.organization_id),
    }


def test_every_record_a_proof_asks_about_belongs_to_the_home_partnership(world):
    owners = _owners(world.records)
    assert set(owners) == set(world.records)
    assert {
        name: owner for name, owner in owners.items() if owner != {world.partnership}
    } == {}


def test_each_role_of_both_partnerships_is_a_different_person(world):
    home = world.partnership
    home_organizations = {home.health_system_id, home.cbo_id}
    people = [
        world.users[role] for role in ROLES if role not in {"anonymous", "outsider"}
    ]
    assert {person.organization_id for person in people} == home_organizations
    assert {person.role for person in people} == set(User.Role.values)
    outsiders = list(world.outsiders.values())
    assert {person.role for person in outsiders} == set(world.outsiders)
    other = Partnership.objects.accepted().exclude(pk=home.pk).get()
    assert {person.organization_id for person in outsiders} == {
        other.health_system_id,
        other.cbo_id,
    }
    assert home_organizations.isdisjoint({other.health_system_id, other.cbo_id})
    # The outsiders are refused while records of their own exist.
    assert set(
        Referral.objects.filter(partnership=other).values_list("status", flat=True)
    ) == {Referral.Status.SUBMITTED, Referral.Status.IN_PROGRESS}
