"""Coded capacity (shown plainly, confirmed before linking a service that takes no
new clients) and weekly opening hours as structured schedules."""

import datetime
import uuid

import pytest
from django.utils import timezone, translation

from referrals.choices import CapacityStatus
from referrals.demo_directory import seed_directory
from referrals.models import PathwayResource, ResourceSchedule
from referrals.schedules import opening_hours_text, parse_opening_hours
from referrals.services import assignment, directory, pathways, workflow
from referrals.tests.factories import ReferralFactory

LIST_URL = "/referrals/resources/"


@pytest.fixture
def services(partnership, supervisor):
    return {service.name: service for service in seed_directory(partnership.cbo)}


@pytest.fixture
def pathway(partnership, clinic, supervisor, navigator):
    referral = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        patient__preferred_language="es",
        social_needs=["educational-attainment"],
    )
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    return pathways.pathway_open(
        referral=referral,
        actor=navigator,
        need="educational-attainment",
        goal="Takes English classes",
    )


def test_parse_reads_ranges_lists_and_refuses_bad_lines():
    openings = parse_opening_hours("MO-FR 09:00-17:00\n\ntu,th 13:00 - 19:30")
    assert [o.days for o in openings] == [
        ("MO", "TU", "WE", "TH", "FR"),
        ("TU", "TH"),
    ]
    assert openings[1].closes_at == datetime.time(19, 30)
    for bad, words in [
        ("Monday 9-5", "Line 1"),
        ("XX 09:00-10:00", "XX is not a day"),
        ("FR-MO 09:00-10:00", "runs backwards"),
        ("MO 17:00-09:00", "after the opening time"),
        ("MO 09:00-25:00", "not a time of day"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_opening_hours(bad)


def test_list_shows_capacity_hours_and_phone_plainly(login, clinic_user, services):
    response = login(clinic_user).get(LIST_URL)
    page = response.content.decode()
    assert "Not accepting new clients" in page
    assert "Waitlist about 3 weeks" in page
    assert "12 open slots" in page
    assert "Tue, Thu 14:00–18:00" in page
    assert "503-555-0142" in page
    # A plain status: no warning badge for capacity.
    assert 'badge text-bg-warning">Not accepting' not in page


def test_list_speaks_spanish(login, clinic_user, services):
    clinic_user.preferred_language = "es"
    clinic_user.save()
    with translation.override("es"):
        page = login(clinic_user).get(LIST_URL, HTTP_ACCEPT_LANGUAGE="es")
    text = page.content.decode()
    assert "No acepta clientes nuevos" in text
    assert "Lista de espera" in text


def test_linking_a_service_not_accepting_asks_first(
    login, navigator, pathway, services
):
    classes = services["English classes (Clases de inglés)"]
    classes.status = "active"
    classes.save()
    client = login(navigator)
    url = f"/referrals/pathways/{pathway.code}/resources/"

    asked = client.post(url, {"service": classes.code, "note": "Fall term"})

    assert asked.status_code == 200
    assert "Link it anyway" in asked.content.decode()
    assert not PathwayResource.objects.filter(pathway=pathway).exists()

    confirmed = client.post(
        url, {"service": classes.code, "note": "Fall term", "confirmed": "on"}
    )
    assert confirmed.status_code == 302
    link = PathwayResource.objects.get(pathway=pathway)
    assert (link.service, link.note) == (classes, "Fall term")


def test_a_service_accepting_links_without_asking(login, navigator, pathway, services):
    pantry = services["Community food pantry"]
    assert pantry.capacity_status == CapacityStatus.ACCEPTING
    response = login(navigator).post(
        f"/referrals/pathways/{pathway.code}/resources/", {"service": pantry.code}
    )
    assert response.status_code == 302
    assert PathwayResource.objects.filter(pathway=pathway, service=pantry).exists()


def test_the_service_refuses_an_unconfirmed_link(navigator, pathway, services):
    classes = services["English classes (Clases de inglés)"]
    with pytest.raises(pathways.NotAcceptingUnconfirmed):
        pathways.pathway_resource_link(
            pathway=pathway, actor=navigator, service=classes
        )


def _form_data(service, **changes):
    data = {
        field: getattr(service, field)
        for field in (*directory.SERVICE_FIELDS, *directory.CAPACITY_FIELDS)
    }
    data.update(organization=service.organization, organization_details={})
    data.update(changes)
    return data


def test_saving_capacity_stamps_the_moment_and_hours_become_schedules(
    supervisor, services
):
    pantry = services["Community food pantry"]
    before = pantry.capacity_updated_at
    old_ids = set(pantry.schedules.values_list("code", flat=True))
    saved = directory.resource_service_save(
        actor=supervisor,
        service=pantry,
        data=_form_data(
            pantry,
            capacity_status=CapacityStatus.WAITLIST,
            open_slots=0,
            opening_hours=parse_opening_hours("TU,TH 14:00-18:00\nFR 10:00-12:00"),
        ),
        form_token=str(uuid.uuid4()),
    )
    saved.refresh_from_db()
    assert saved.capacity_status == CapacityStatus.WAITLIST
    assert saved.capacity_updated_at > before
    rows = list(ResourceSchedule.objects.filter(service=saved).order_by("pk"))
    assert opening_hours_text(rows) == "TU,TH 14:00-18:00\nFR 10:00-12:00"
    # The unchanged opening kept its HSDS id; Saturday's is gone.
    assert len(old_ids & {row.code for row in rows}) == 1


def test_saving_without_a_capacity_change_keeps_its_moment(supervisor, services):
    pantry = services["Community food pantry"]
    stamped = timezone.now() - datetime.timedelta(days=30)
    pantry.capacity_updated_at = stamped
    pantry.save()
    directory.resource_service_save(
        actor=supervisor,
        service=pantry,
        data=_form_data(pantry, description="New words"),
        form_token=str(uuid.uuid4()),
    )
    pantry.refresh_from_db()
    assert pantry.capacity_updated_at == stamped
