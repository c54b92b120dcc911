"""The dashboard's clinic and navigator filters offer the user's partnerships'
clinics and navigators, by name, from either side of the partnership; the
partnership that decides the dashboard's time zone is the user's first one."""

import datetime
import re

import pytest
import time_machine

from partners.models import Organization
from partners.tests.factories import (
    OrganizationFactory,
    PartnershipFactory,
    SiteFactory,
    UserFactory,
)
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
# 01:00 on 1 March in New York, still 22:00 on 28 February in Los Angeles.
FIRST_HOUR_OF_MARCH = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    return [
        label.strip()
        for value, label in re.findall(
            r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[0]
        )
        if value
    ]


@pytest.fixture
def teams(partnership, navigator, supervisor, outsiders):
    """Clinics and navigators made out of name order, and people who must not show:
    a supervisor and everyone of the other partnership."""
    SiteFactory(organization=partnership.health_system, name="South Clinic")
    SiteFactory(organization=partnership.health_system, name="North Clinic")
    UserFactory(
        role="navigator", organization=partnership.cbo, first_name="Nadia",
        last_name="Zamora",
    )  # fmt: skip
    UserFactory(
        role="navigator", organization=partnership.cbo, first_name="Nadia",
        last_name="Alvarez",
    )  # fmt: skip
    UserFactory(role="navigator", organization=partnership.cbo, first_name="Bea")
    navigator.last_name = "Moreno"
    navigator.save()


def test_filters_offer_the_partnerships_clinics_and_navigators_by_name(
    login, manager, teams
):
    page = login(manager).get("/evaluation/").content.decode()
    assert options(page, "clinic") == ["North Clinic", "South Clinic"]
    navigators = options(page, "navigator")
    assert navigators[1:] == ["Nadia Alvarez", "Nadia Moreno", "Nadia Zamora"]
    assert navigators[0].startswith("Bea ")


def test_a_cbo_program_manager_gets_the_same_choices(login, partnership, teams):
    cbo_manager = UserFactory(role="program_manager", organization=partnership.cbo)
    page = login(cbo_manager).get("/evaluation/").content.decode()
    assert options(page, "clinic") == ["North Clinic", "South Clinic"]
    assert len(options(page, "navigator")) == 4


def test_a_clinic_of_another_partnership_is_refused_as_a_filter(
    login, manager, partnership, outsiders
):
    ReferralFactory(partnership=partnership)
    other_clinic = outsiders["clinic_staff"].site
    response = login(manager).get(f"/evaluation/?clinic={other_clinic.pk}")
    assert "Select a valid choice" in response.content.decode()


def test_a_health_system_with_two_cbos_offers_both_cbos_navigators(
    login, manager, partnership, navigator
):
    second = PartnershipFactory(health_system=partnership.health_system)
    UserFactory(role="navigator", organization=second.cbo, first_name="Olga")
    page = login(manager).get("/evaluation/").content.decode()
    assert [name.split()[0] for name in options(page, "navigator")] == [
        "Nadia",
        "Olga",
    ]


def test_the_first_partnership_of_the_user_sets_the_months(login, manager, partnership):
    partnership.time_zone = "America/New_York"
    partnership.name = "Zeta partnership"
    partnership.save()
    # A later partnership in Los Angeles, first by name.
    PartnershipFactory(
        name="Alpha partnership",
        health_system=partnership.health_system,
        time_zone="America/Los_Angeles",
    )
    with time_machine.travel(FIRST_HOUR_OF_MARCH, tick=False):
        ReferralFactory(partnership=partnership)

    data = login(manager).get("/evaluation/").context["data"]

    assert data["tables"]["monthly"]["rows"] == [["2026-03", 1, 0, 0]]


def test_a_manager_without_a_partnership_sees_an_empty_dashboard(login, partnership):
    alone = UserFactory(
        role="program_manager",
        organization=OrganizationFactory(kind=Organization.Kind.HEALTH_SYSTEM),
    )
    ReferralFactory(partnership=partnership)

    response = login(alone).get("/evaluation/?start=2026-01-01&end=2026-12-31")

    assert response.status_code == 200
    assert response.context["data"]["figures"]["referred"] == 0
    assert "Your organization is not in a partnership yet." in (
        response.content.decode()
    )


def test_the_dataset_reads_filter_dates_in_the_partnerships_time_zone(
    reauthenticated, manager, partnership
):
    partnership.time_zone = "America/New_York"
    partnership.save()
    with time_machine.travel(FIRST_HOUR_OF_MARCH, tick=False):
        ReferralFactory(partnership=partnership)
    client = reauthenticated(manager)

    march = client.get("/evaluation/export/dataset.csv?start=2026-03-01")
    february = client.get("/evaluation/export/dataset.csv?end=2026-02-28")

    assert len(march.getvalue().decode().splitlines()) == 2
    assert len(february.getvalue().decode().splitlines()) == 1
