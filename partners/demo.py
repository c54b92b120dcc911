"""Demo data: two unrelated partnerships and a user for every role.

Every sign-in uses the password ``chwlink-demo``. Loading twice changes nothing.
"""

import datetime

from partners.models import Organization, Partnership, Site, User

DEMO_PASSWORD = "chwlink-demo"  # noqa: S105 - documented demo credential

Role = User.Role


def _organization(name, kind):
    organization, _ = Organization.objects.get_or_create(
        name=name, defaults={"kind": kind}
    )
    return organization


def _user(email, *, first_name, last_name, role, organization=None, **extra):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            role=role,
            organization=organization,
            is_superuser=role == Role.ADMINISTRATOR,
            **extra,
        )
    return user


def seed_demo() -> str:
    cascade = _organization("Cascade Health", Organization.Kind.HEALTH_SYSTEM)
    familias = _organization("Familias Unidas", Organization.Kind.CBO)
    eastside, _ = Site.objects.get_or_create(
        organization=cascade,
        name="Eastside Clinic",
        defaults={"address": "1200 SE Division St, Portland, OR"},
    )
    Site.objects.get_or_create(
        organization=cascade,
        name="Westside Clinic",
        defaults={"address": "800 NW 23rd Ave, Portland, OR"},
    )
    Partnership.objects.get_or_create(
        health_system=cascade,
        cbo=familias,
        defaults={
            "name": "Cascade Health + Familias Unidas",
            "status": Partnership.Status.ACTIVE,
            "population_served": "Latino adults with chronic disease and social needs",
            "started_on": datetime.date(2026, 1, 15),
        },
    )
    valley = _organization("Valley Medical Group", Organization.Kind.HEALTH_SYSTEM)
    bridges = _organization("Community Bridges", Organization.Kind.CBO)
    valley_clinic, _ = Site.objects.get_or_create(
        organization=valley, name="Riverside Clinic"
    )
    Partnership.objects.get_or_create(
        health_system=valley,
        cbo=bridges,
        defaults={
            "name": "Valley Medical Group + Community Bridges",
            "status": Partnership.Status.ACTIVE,
            "population_served": "Adults with diabetes in rural counties",
        },
    )

    _user(
        "clinic@example.org",
        first_name="Carmen",
        last_name="Lopez",
        role=Role.CLINIC_STAFF,
        organization=cascade,
        site=eastside,
    )
    _user(
        "supervisor@example.org",
        first_name="Sofia",
        last_name="Ramirez",
        role=Role.SUPERVISOR,
        organization=familias,
        languages=["es", "en"],
    )
    _user(
        "navigator@example.org",
        first_name="Nora",
        last_name="Gutierrez",
        role=Role.NAVIGATOR,
        organization=familias,
        languages=["es", "en"],
    )
    _user(
        "navigator.tran@example.org",
        first_name="Minh",
        last_name="Tran",
        role=Role.NAVIGATOR,
        organization=familias,
        languages=["vi", "en"],
    )
    _user(
        "manager@example.org",
        first_name="Morgan",
        last_name="Price",
        role=Role.PROGRAM_MANAGER,
        organization=cascade,
    )
    _user(
        "admin@example.org",
        first_name="Alex",
        last_name="Admin",
        role=Role.ADMINISTRATOR,
        organization=cascade,
    )
    _user(
        "clinic2@example.org",
        first_name="Chris",
        last_name="Walker",
        role=Role.CLINIC_STAFF,
        organization=valley,
        site=valley_clinic,
    )
    _user(
        "supervisor2@example.org",
        first_name="Sam",
        last_name="Okafor",
        role=Role.SUPERVISOR,
        organization=bridges,
        languages=["en"],
    )
    _user(
        "navigator2@example.org",
        first_name="Nia",
        last_name="Brooks",
        role=Role.NAVIGATOR,
        organization=bridges,
        languages=["en"],
    )
    return (
        "Demo data ready. Sign in at http://127.0.0.1:8000/ with password "
        f"'{DEMO_PASSWORD}' as clinic@, supervisor@, navigator@, manager@ or "
        "admin@example.org."
    )
