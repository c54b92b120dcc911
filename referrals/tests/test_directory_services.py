"""Keeping the directory: who may change it, and how locations follow a service."""

import pytest
from django.core.exceptions import PermissionDenied

from partners.models import User
from referrals.demo_directory import seed_directory
from referrals.forms.directory import ResourceServiceForm
from referrals.models import ResourceLocation, ResourceOrganization, ResourceService
from referrals.services.directory import (
    resource_service_save,
    resource_service_verify,
)

Role = User.Role


@pytest.fixture
def organization(partnership):
    return ResourceOrganization.objects.create(
        directory_owner=partnership.cbo,
        name="Puentes Housing Fund",
        phone="503-555-0158",
        website="https://puentes.example.org",
    )


def form_data(organization, **changes):
    data = {
        "organization": organization,
        "new_organization_name": "",
        "organization_details": {},
        "name": "Emergency rent assistance",
        "description": "",
        "needs": ["housing-instability"],
        "languages": ["es"],
        "interpretation_services": "",
        "eligibility": "",
        "application_process": "",
        "fees": "Free",
        "hours": "",
        "capacity_note": "",
        "status": "active",
        "location": {
            "name": "Division Street office",
            "address": "4020 SE Division St",
            "city": "Portland",
            "state": "OR",
            "postal_code": "97202",
        },
        "verified_today": False,
    }
    data.update(changes)
    return data


@pytest.fixture
def rent(supervisor, organization):
    return resource_service_save(actor=supervisor, data=form_data(organization))


@pytest.mark.parametrize("who", ["navigator", "clinic_user", "manager"])
def test_only_supervisors_add_services(request, organization, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        resource_service_save(actor=actor, data=form_data(organization))

    assert not ResourceService.objects.exists()


def test_supervisor_of_another_cbo_cannot_change_or_verify_our_service(outsiders, rent):
    stranger = outsiders[Role.SUPERVISOR]

    with pytest.raises(PermissionDenied):
        resource_service_save(
            actor=stranger,
            data=form_data(rent.organization, name="Taken over"),
            service=rent,
        )
    with pytest.raises(PermissionDenied):
        resource_service_verify(actor=stranger, service=rent)

    rent.refresh_from_db()
    assert rent.name == "Emergency rent assistance"
    assert rent.last_verified_on is None


def test_organization_of_another_directory_is_refused(supervisor, other_partnership):
    theirs = ResourceOrganization.objects.create(
        directory_owner=other_partnership.cbo, name="Valley Food Bank"
    )

    with pytest.raises(PermissionDenied):
        resource_service_save(actor=supervisor, data=form_data(theirs))

    assert not theirs.services.exists()


def test_new_organization_and_location_are_created_with_the_service(
    supervisor, partnership
):
    data = form_data(
        None,
        new_organization_name="Northeast Diaper Bank",
        organization_details={"website": "https://diapers.example.org"},
        verified_today=True,
    )

    service = resource_service_save(actor=supervisor, data=data)

    assert service.organization.name == "Northeast Diaper Bank"
    assert service.organization.directory_owner == partnership.cbo
    assert service.organization.website == "https://diapers.example.org"
    assert service.locations.get().organization == service.organization
    assert service.last_verified_by == supervisor


def test_verify_records_the_day_and_the_supervisor(supervisor, rent, time_machine):
    time_machine.move_to("2026-03-02 18:00:00+00:00")

    resource_service_verify(actor=supervisor, service=rent)

    rent.refresh_from_db()
    assert str(rent.last_verified_on) == "2026-03-02"
    assert rent.last_verified_by == supervisor


def test_correcting_an_address_used_only_by_this_service_edits_it_in_place(
    supervisor, rent
):
    office = rent.locations.get()
    moved = form_data(
        rent.organization,
        location={**form_data(None)["location"], "address": "4022 SE Division St"},
    )

    resource_service_save(actor=supervisor, data=moved, service=rent)

    office.refresh_from_db()
    assert office.address == "4022 SE Division St"
    assert list(rent.locations.all()) == [office]


def test_moving_a_service_leaves_a_shared_location_alone(supervisor, rent):
    office = rent.locations.get()
    neighbour = resource_service_save(
        actor=supervisor,
        data=form_data(rent.organization, name="Eviction legal clinic"),
    )
    assert list(neighbour.locations.all()) == [office]
    moved = form_data(
        rent.organization,
        location={
            "name": "Gresham office",
            "address": "100 NE Main Ave",
            "city": "Gresham",
            "state": "OR",
            "postal_code": "97030",
        },
    )

    resource_service_save(actor=supervisor, data=moved, service=rent)

    office.refresh_from_db()
    assert office.address == "4020 SE Division St"
    assert [place.name for place in rent.locations.all()] == ["Gresham office"]
    assert list(neighbour.locations.all()) == [office]


def test_clearing_the_location_unlinks_it_without_deleting_it(supervisor, rent):
    resource_service_save(
        actor=supervisor,
        data=form_data(rent.organization, location=None),
        service=rent,
    )

    assert not rent.locations.exists()
    assert ResourceLocation.objects.filter(name="Division Street office").exists()


def test_moving_to_another_organization_drops_the_former_locations(supervisor, rent):
    data = form_data(
        None, new_organization_name="Rent Relief Collective", location=None
    )

    resource_service_save(actor=supervisor, data=data, service=rent)

    rent.refresh_from_db()
    assert rent.organization.name == "Rent Relief Collective"
    assert not rent.locations.exists()


def test_switching_organization_on_edit_does_not_copy_the_old_contact_details(
    supervisor, partnership, rent
):
    other = ResourceOrganization.objects.create(
        directory_owner=partnership.cbo, name="Columbia Community Action"
    )
    form = ResourceServiceForm(directory_owner_id=partnership.cbo_id, service=rent)
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(organization=str(other.pk), organization_email="new@ccaction.org")

    bound = ResourceServiceForm(
        data, directory_owner_id=partnership.cbo_id, service=rent
    )

    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["organization_details"] == {"email": "new@ccaction.org"}
    resource_service_save(actor=supervisor, data=bound.cleaned_data, service=rent)
    other.refresh_from_db()
    assert (other.phone, other.website, other.email) == ("", "", "new@ccaction.org")


def test_demo_directory_loads_once(partnership, supervisor):
    first = seed_directory(partnership.cbo)
    again = seed_directory(partnership.cbo)

    assert len(first) == 8
    assert again == first
    assert ResourceService.objects.count() == 8

    pantry = ResourceService.objects.get(name="Community food pantry")
    assert pantry.locations.count() == 2
    assert pantry.fees == "Free"
    assert pantry.last_verified_by == supervisor
    assert ResourceOrganization.objects.filter(
        directory_owner=partnership.cbo, name=partnership.cbo.name
    ).exists()
    for location in ResourceLocation.objects.prefetch_related("services"):
        assert all(
            service.organization_id == location.organization_id
            for service in location.services.all()
        )
