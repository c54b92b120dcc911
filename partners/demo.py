"""Demo data: two unrelated partnerships and a user for every role.

Every sign-in uses the password ``chwlink-demo``. Loading twice changes nothing.
"""

import datetime
import functools

from django.conf import settings
from django.contrib.auth.hashers import make_password

from partners.models import Organization, Partnership, Site, User

DEMO_PASSWORD = "chwlink-demo"  # noqa: S105 - documented demo credential

Role = User.Role


def _organization(name, kind):
    organization, _ = Organization.objects.get_or_create(
        name=name, defaults={"kind": kind}
    )
    return organization


@functools.cache
def _demo_password_hash() -> str:
    # Hashed once: every demo account shares the password, and hashing is slow.
    return make_password(DEMO_PASSWORD)


def _user(email, *, first_name, last_name, role, organization=None, **extra):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            None,
            first_name=first_name,
            last_name=last_name,
            role=role,
            organization=organization,
            is_superuser=role == Role.ADMINISTRATOR,
            **extra,
        )
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
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
    Site.objects.get_or_create(
        organization=cascade,
        name="Northside Clinic",
        defaults={"address": "4100 N Williams Ave, Portland, OR"},
    )
    Partnership.objects.get_or_create(
        health_system=cascade,
        cbo=familias,
        defaults={
            "name": "Cascade Health + Familias Unidas",
            "status": Partnership.Status.ACTIVE,
            "population_served": "Latino adults with chronic disease and social needs",
            "started_on": datetime.date(2026, 1, 15),
            "holiday_country": "US",
            "holiday_subdivision": "OR",
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

    # e-mail, first and last name, role, organization, further fields.
    users = [
        ("clinic@example.org", "Carmen", "Lopez", Role.CLINIC_STAFF, cascade,
         {"site": eastside}),
        ("supervisor@example.org", "Sofia", "Ramirez", Role.SUPERVISOR, familias,
         {"languages": ["es", "en"]}),
        ("navigator@example.org", "Nora", "Gutierrez", Role.NAVIGATOR, familias,
         {"languages": ["es", "en"]}),
        ("navigator.tran@example.org", "Minh", "Tran", Role.NAVIGATOR, familias,
         {"languages": ["vi", "en"]}),
        # Four more navigators work the demo's two years of history.
        ("navigator.ortiz@example.org", "Elena", "Ortiz", Role.NAVIGATOR, familias,
         {"languages": ["es", "en"]}),
        ("navigator.hassan@example.org", "Hodan", "Hassan", Role.NAVIGATOR,
         familias, {"languages": ["so", "en"]}),
        ("navigator.vega@example.org", "Tomás", "Vega", Role.NAVIGATOR, familias,
         {"languages": ["es", "en"]}),
        ("navigator.lee@example.org", "Grace", "Lee", Role.NAVIGATOR, familias,
         {"languages": ["en"]}),
        ("manager@example.org", "Morgan", "Price", Role.PROGRAM_MANAGER, cascade, {}),
        ("cbo.manager@example.org", "Lucia", "Flores", Role.PROGRAM_MANAGER,
         familias, {}),
        ("admin@example.org", "Alex", "Admin", Role.ADMINISTRATOR, cascade, {}),
        ("clinic2@example.org", "Chris", "Walker", Role.CLINIC_STAFF, valley,
         {"site": valley_clinic}),
        ("supervisor2@example.org", "Sam", "Okafor", Role.SUPERVISOR, bridges,
         {"languages": ["en"]}),
        ("navigator2@example.org", "Nia", "Brooks", Role.NAVIGATOR, bridges,
         {"languages": ["en"]}),
        ("manager2@example.org", "Jordan", "Reyes", Role.PROGRAM_MANAGER, bridges,
         {}),
    ]  # fmt: skip
    for email, first_name, last_name, role, organization, extra in users:
        _user(
            email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            organization=organization,
            **extra,
        )
    return (
        f"Demo data ready. Sign in at {settings.SITE_URL.rstrip('/')}/ with password "
        f"'{DEMO_PASSWORD}' as clinic@, supervisor@, navigator@, manager@ or "
        "admin@example.org (every account is listed in the README)."
    )
