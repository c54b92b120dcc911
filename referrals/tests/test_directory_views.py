"""The community resource directory pages: search, read, add, edit, verify."""

import datetime

import pytest
from django.urls import reverse

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.choices import ResourceStatus
from referrals.demo_directory import seed_directory
from referrals.models import ResourceOrganization, ResourceService
from referrals.services.directory import (
    ADDRESS_FIELDS,
    SERVICE_FIELDS,
    primary_location,
    resource_service_save,
    resource_service_verify,
)

Role = User.Role
LIST_URL = reverse("referrals:resource-list")
CREATE_URL = reverse("referrals:resource-create")


@pytest.fixture
def directory(partnership, supervisor):
    """The home CBO's demo directory (8 services), verified by its supervisor."""
    return {service.name: service for service in seed_directory(partnership.cbo)}


@pytest.fixture
def rent(directory):
    return directory["Emergency rent assistance"]


@pytest.fixture
def their_service(other_partnership):
    organization = ResourceOrganization.objects.create(
        directory_owner=other_partnership.cbo, name="Valley Food Bank"
    )
    return ResourceService.objects.create(
        organization=organization,
        name="Valley mobile pantry",
        needs=["food-insecurity"],
        languages=["en"],
    )


def service_change(actor, service, **changes):
    """Change a service through the directory service, as its edit page does."""
    location = primary_location(service)
    data = {field: getattr(service, field) for field in SERVICE_FIELDS} | {
        "organization": service.organization,
        "new_organization_name": "",
        "organization_details": {},
        "location": location
        and {name: getattr(location, name) for name in ("name", *ADDRESS_FIELDS)},
        "verified_today": False,
    }
    return resource_service_save(actor=actor, data=data | changes, service=service)


def detail_url(service):
    return reverse("referrals:resource-detail", args=[service.code])


def edit_url(service):
    return reverse("referrals:resource-edit", args=[service.code])


def verify_url(service):
    return reverse("referrals:resource-verify", args=[service.code])


def listed_names(response):
    return [service.name for service in response.context["page_obj"]]


def service_form_data(**changes):
    data = {
        "organization": "",
        "new_organization_name": "Northeast Diaper Bank",
        "organization_phone": "503-555-0123",
        "organization_website": "https://diapers.example.org",
        "organization_email": "",
        "name": "Diapers and wipes",
        "description": "A month of diapers for children under 3.",
        "needs": ["material-hardship"],
        "status": "active",
        "eligibility": "Families with children under 3.",
        "application_process": "Walk in.",
        "fees": "Free",
        "hours": "Fri 1-4 pm",
        "capacity_note": "Taking new clients",
        "languages": ["es", "en"],
        "location_name": "Cully warehouse",
        "location_address": "5000 NE Cully Blvd",
        "location_city": "Portland",
        "location_state": "OR",
        "location_postal_code": "97218",
    }
    data.update(changes)
    return data


# --- Search -------------------------------------------------------------------------


def test_search_by_need_lists_only_services_for_that_need(
    login, clinic_user, directory
):
    response = login(clinic_user).get(LIST_URL, {"need": "housing-instability"})

    assert listed_names(response) == ["Emergency rent assistance"]


def test_search_by_language_includes_services_with_interpreters(
    login, navigator, directory
):
    response = login(navigator).get(LIST_URL, {"language": "vi"})

    assert listed_names(response) == [
        "Emergency rent assistance",  # interpreters
        "Job center",  # interpreters
        "Medical ride program",  # offered in Vietnamese
        "Utility bill assistance",  # interpreters
    ]


def test_search_by_words_matches_service_and_organization_names(
    login, manager, directory
):
    client = login(manager)

    assert listed_names(client.get(LIST_URL, {"q": "pantry"})) == [
        "Community food pantry"
    ]
    assert listed_names(client.get(LIST_URL, {"q": "puentes"})) == [
        "Emergency rent assistance"
    ]


def test_search_combines_need_language_and_words(login, clinic_user, directory):
    response = login(clinic_user).get(
        LIST_URL, {"need": "financial-insecurity", "language": "es", "q": "SNAP"}
    )

    assert listed_names(response) == ["SNAP enrollment help"]
    assert "Clear the search" in response.content.decode()


def test_search_without_results_says_so(login, clinic_user, directory):
    response = login(clinic_user).get(LIST_URL, {"need": "veteran-status"})

    assert "No service matches this search" in response.content.decode()


def test_list_shows_capacity_status_and_stale_verification(
    login, clinic_user, directory
):
    page = login(clinic_user).get(LIST_URL).content.decode()

    assert "Waitlist about 3 weeks; eviction notices seen first" in page
    assert "Temporarily closed" in page  # English classes, between terms
    assert "Never verified" in page  # job center
    # Rides (200 days ago) and the job center (never) need re-checking.
    assert page.count("Needs re-checking") == 2
    assert "Tue and Thu 2–6 pm; Sat 9 am–12 pm" in page
    assert "interpreters available" in page


def test_inactive_services_are_hidden_unless_a_supervisor_asks(
    login, supervisor, navigator, rent
):
    service_change(supervisor, rent, status=ResourceStatus.INACTIVE)

    navigator_view = login(navigator).get(LIST_URL, {"include_inactive": "on"})
    assert "Emergency rent assistance" not in listed_names(navigator_view)
    assert 'name="include_inactive"' not in navigator_view.content.decode()

    supervisor_client = login(supervisor)
    assert "Emergency rent assistance" not in listed_names(
        supervisor_client.get(LIST_URL)
    )
    shown = supervisor_client.get(LIST_URL, {"include_inactive": "on"})
    assert "Emergency rent assistance" in listed_names(shown)
    assert "Inactive" in shown.content.decode()


# --- Who reads what -----------------------------------------------------------------


@pytest.mark.parametrize(
    "reader", ["clinic_user", "supervisor", "navigator", "manager"]
)
def test_everyone_in_the_partnership_reads_the_cbo_directory(
    request, login, directory, reader
):
    response = login(request.getfixturevalue(reader)).get(LIST_URL)

    assert response.status_code == 200
    assert "SNAP enrollment help" in listed_names(response)


def test_administrators_use_the_admin_not_the_directory(login, administrator):
    assert login(administrator).get(LIST_URL).status_code == 403


@pytest.mark.parametrize("role", list(Role.values[:4]))
def test_outsiders_see_only_their_own_directory(
    login, outsiders, directory, their_service, role
):
    response = login(outsiders[role]).get(LIST_URL)

    assert listed_names(response) == ["Valley mobile pantry"]


@pytest.mark.parametrize("role", list(Role.values[:4]))
def test_outsiders_get_404_on_our_service_page(login, outsiders, rent, role):
    assert login(outsiders[role]).get(detail_url(rent)).status_code == 404


def test_supervisor_of_another_cbo_gets_404_on_edit_and_verify(login, outsiders, rent):
    client = login(outsiders[Role.SUPERVISOR])

    assert client.get(edit_url(rent)).status_code == 404
    assert client.post(edit_url(rent), service_form_data()).status_code == 404
    assert client.post(verify_url(rent)).status_code == 404
    rent.refresh_from_db()
    assert rent.name == "Emergency rent assistance"
    assert rent.last_verified_by.role == Role.SUPERVISOR
    assert rent.last_verified_by.organization == rent.organization.directory_owner


def test_clinic_staff_read_the_service_page_but_cannot_change_it(
    login, clinic_user, rent
):
    client = login(clinic_user)

    page = client.get(detail_url(rent)).content.decode()
    assert "Puentes Housing Fund" in page
    assert 'href="tel:503-555-0158"' in page
    assert "https://puentes-housing.example.org" in page
    assert "4020 SE Division St, Suite 200" in page
    assert "Renters in Multnomah County" in page
    assert "Mark verified today" not in page
    assert edit_url(rent) not in page

    assert client.get(edit_url(rent)).status_code == 403
    assert client.post(verify_url(rent)).status_code == 403
    assert client.get(CREATE_URL).status_code == 403


def test_navigator_gets_403_on_create(login, navigator, directory):
    client = login(navigator)

    assert CREATE_URL not in client.get(LIST_URL).content.decode()
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, service_form_data()).status_code == 403
    assert not ResourceService.objects.filter(name="Diapers and wipes").exists()


def test_supervisor_sees_add_edit_and_verify(login, supervisor, rent):
    client = login(supervisor)

    assert CREATE_URL in client.get(LIST_URL).content.decode()
    page = client.get(detail_url(rent)).content.decode()
    assert edit_url(rent) in page
    assert "Mark verified today" in page


# --- Verify -------------------------------------------------------------------------


def test_mark_verified_today_updates_the_date_and_clears_the_flag(
    login, supervisor, directory, time_machine
):
    rides = directory["Medical ride program"]
    colleague = UserFactory(role=Role.SUPERVISOR, organization=supervisor.organization)
    time_machine.move_to(datetime.datetime(2025, 6, 1, 10, 0, tzinfo=datetime.UTC))
    resource_service_verify(actor=colleague, service=rides)
    time_machine.move_to(datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC))
    client = login(supervisor)

    response = client.post(verify_url(rides), follow=True)

    rides.refresh_from_db()
    assert rides.last_verified_on == datetime.date(2026, 5, 4)
    assert rides.last_verified_by == supervisor
    page = response.content.decode()
    assert "is marked as verified today" in page
    assert "Verified May 4, 2026" in page
    assert "Needs re-checking" not in page


def test_verify_only_accepts_post(login, supervisor, rent):
    assert login(supervisor).get(verify_url(rent)).status_code == 405


# --- Create and edit ----------------------------------------------------------------


def test_supervisor_adds_a_service_with_a_new_organization_and_location(
    login, supervisor, partnership
):
    response = login(supervisor).post(
        CREATE_URL, service_form_data(verified_today="on")
    )

    service = ResourceService.objects.get(name="Diapers and wipes")
    assert response.status_code == 302
    assert response.url == detail_url(service)
    organization = service.organization
    assert organization.name == "Northeast Diaper Bank"
    assert organization.directory_owner == partnership.cbo
    assert organization.website == "https://diapers.example.org"
    assert organization.phone == "503-555-0123"
    location = service.locations.get()
    assert (location.name, location.address, location.postal_code) == (
        "Cully warehouse",
        "5000 NE Cully Blvd",
        "97218",
    )
    assert location.organization == organization
    assert service.needs == ["material-hardship"]
    assert service.languages == ["es", "en"]
    assert service.last_verified_by == supervisor


def test_supervisor_adds_a_service_to_an_organization_in_the_list(
    login, supervisor, rent
):
    data = service_form_data(
        organization=str(rent.organization.pk),
        new_organization_name="",
        organization_phone="",
        organization_website="",
        location_name="",
        location_address="",
        location_city="",
        location_state="",
        location_postal_code="",
    )

    response = login(supervisor).post(CREATE_URL, data)

    assert response.status_code == 302
    service = ResourceService.objects.get(name="Diapers and wipes")
    assert service.organization == rent.organization
    assert service.locations.count() == 0
    rent.organization.refresh_from_db()
    assert rent.organization.phone == "503-555-0158"  # blank details change nothing
    assert service.last_verified_on is None


def test_bad_input_shows_errors_beside_fields_and_keeps_what_was_typed(
    login, supervisor
):
    data = service_form_data(
        organization_website="not a web address",
        needs=[],
        location_name="",
        languages=["vi"],
    )

    response = login(supervisor).post(CREATE_URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid URL." in page
    assert "Choose at least one need." in page
    assert "Name the location" in page
    assert 'value="not a web address"' in page
    assert 'value="Northeast Diaper Bank"' in page
    assert 'value="5000 NE Cully Blvd"' in page
    assert "A month of diapers for children under 3." in page
    assert 'value="vi" class="form-check-input" id="id_languages_2" checked' in page
    assert not ResourceService.objects.filter(name="Diapers and wipes").exists()
    assert not ResourceOrganization.objects.filter(
        name="Northeast Diaper Bank"
    ).exists()


def test_organization_must_be_chosen_or_named(login, supervisor, rent):
    client = login(supervisor)

    neither = client.post(CREATE_URL, service_form_data(new_organization_name=""))
    assert "Choose an organization, or type the name of a new one" in (
        neither.content.decode()
    )
    both = client.post(
        CREATE_URL, service_form_data(organization=str(rent.organization.pk))
    )
    assert "Leave this empty when you choose an organization" in both.content.decode()
    taken = client.post(
        CREATE_URL, service_form_data(new_organization_name="puentes housing fund")
    )
    assert "is already in your directory" in taken.content.decode()
    assert not ResourceService.objects.filter(name="Diapers and wipes").exists()


def test_organizations_of_another_directory_cannot_be_chosen(
    login, supervisor, their_service
):
    data = service_form_data(
        organization=str(their_service.organization.pk), new_organization_name=""
    )

    response = login(supervisor).post(CREATE_URL, data)

    assert "Select a valid choice" in response.content.decode()
    assert their_service.organization.services.count() == 1


def test_edit_form_shows_the_service_as_it_is(login, supervisor, rent):
    page = login(supervisor).get(edit_url(rent)).content.decode()

    assert f'value="{rent.organization.pk}" selected' in page
    assert 'value="Emergency rent assistance"' in page
    assert 'value="https://puentes-housing.example.org"' in page
    assert 'value="Division Street office"' in page
    assert 'value="housing-instability" class="form-check-input"' in page


def test_edit_saves_changes_and_keeps_the_other_locations(login, supervisor, directory):
    pantry = directory["Community food pantry"]
    client = login(supervisor)
    page = client.get(edit_url(pantry))
    data = {
        name: value
        for name, value in page.context["form"].initial.items()
        if value is not None
    }
    data.update(
        organization=str(pantry.organization.pk),
        hours="Tue and Thu 3–7 pm",
        capacity_note="Waitlist about 1 week",
        interpretation_services="Phone interpreters on request",
    )

    response = client.post(edit_url(pantry), data)

    assert response.status_code == 302
    pantry.refresh_from_db()
    assert pantry.hours == "Tue and Thu 3–7 pm"
    assert pantry.capacity_note == "Waitlist about 1 week"
    assert pantry.interpretation_services
    assert sorted(pantry.locations.values_list("name", flat=True)) == [
        "Gateway pantry",
        "Lents pantry",
    ]
    detail = client.get(detail_url(pantry)).content.decode()
    assert "Waitlist about 1 week" in detail
    assert "10550 NE Halsey St" in detail
    assert "9205 SE Foster Rd" in detail


# --- Pages and query budgets --------------------------------------------------------


def _services_for(cbo, count):
    organization = ResourceOrganization.objects.create(
        directory_owner=cbo, name="Many Services Inc."
    )
    ResourceService.objects.bulk_create(
        ResourceService(
            organization=organization,
            name=f"Service {number:02d}",
            needs=["food-insecurity", "stress"],
            languages=["es"],
        )
        for number in range(count)
    )


def test_list_pages_by_25_in_a_fixed_number_of_queries(
    login, clinic_user, partnership, django_assert_max_num_queries
):
    _services_for(partnership.cbo, 30)
    client = login(clinic_user)

    # session, user, the user's organization (menu), the partnership's time zone
    # ("open now"), the partnerships giving the directories, count, one page of
    # services with their organizations, their locations (addresses), their
    # schedules (hours), session save (savepoint, update, release).
    with django_assert_max_num_queries(12):
        first = client.get(LIST_URL)
    with django_assert_max_num_queries(12):
        second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_service_page_in_a_fixed_number_of_queries(
    login, clinic_user, directory, django_assert_max_num_queries
):
    pantry = directory["Community food pantry"]
    client = login(clinic_user)

    # session, user, the user's organization (menu), the partnerships giving the
    # directories, the service with its organization and verifier, its locations,
    # its schedules, session save (savepoint, update, release).
    with django_assert_max_num_queries(10):
        response = client.get(detail_url(pantry))

    assert "Lents pantry" in response.content.decode()
