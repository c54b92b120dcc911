"""Finding a resource near the patient: by ZIP code (nearest first, within a
radius), open now in the partnership's time zone, and by capacity."""

import datetime
import zoneinfo

import pytest
import time_machine

from referrals.demo_directory import seed_directory
from referrals.models import ResourceLocation, ResourceService, ZipCentroid
from referrals.nearby import miles, nearest_first, zip_point

LIST_URL = "/referrals/resources/"


@pytest.fixture
def services(partnership, supervisor):
    partnership.time_zone = "America/Los_Angeles"
    partnership.save()
    return {service.name: service for service in seed_directory(partnership.cbo)}


def listed(response):
    return [service.name for service in response.context["page_obj"]]


def test_nearest_first_from_a_zip_code(login, clinic_user, services):
    # 97266 is Lents: the Lents pantry, then the Division Street office.
    response = login(clinic_user).get(LIST_URL, {"zip_code": "97266", "within": 5})
    names = listed(response)
    assert names[0] == "Community food pantry"
    distances = [s.distance_metres for s in response.context["page_obj"]]
    assert distances == sorted(distances)
    assert all(miles(d) <= 5 for d in distances)
    # The ride program has no place: it is never measured.
    assert "Medical ride program" not in names
    assert "mi away" in response.content.decode()


def test_the_radius_keeps_far_places_out(services):
    near = nearest_first(ResourceService.objects.all(), zip_point("97266"), miles=1)
    assert [s.name for s in near] == ["Community food pantry"]
    far_point = (45.5188, -122.4707)  # the Rockwood classrooms
    nearest = nearest_first(ResourceService.objects.all(), far_point, miles=1)
    assert [s.name for s in nearest] == ["English classes (Clases de inglés)"]


def test_distance_is_to_the_nearest_place_of_the_service(services):
    pantry = services["Community food pantry"]
    gateway = ResourceLocation.objects.get(name="Gateway pantry")
    lents = ResourceLocation.objects.get(name="Lents pantry")
    [found] = nearest_first(
        ResourceService.objects.filter(pk=pantry.pk),
        (gateway.latitude, gateway.longitude),
        miles=50,
    )
    assert found.distance_metres < 1
    [found] = nearest_first(
        ResourceService.objects.filter(pk=pantry.pk),
        (lents.latitude, lents.longitude),
        miles=50,
    )
    assert found.distance_metres < 1


def test_an_unknown_zip_is_a_field_error_that_keeps_the_input(
    login, clinic_user, services
):
    response = login(clinic_user).get(LIST_URL, {"zip_code": "99999", "q": "rent"})
    form = response.context["form"]
    assert "no location for ZIP code 99999" in str(form.errors["zip_code"])
    assert 'value="99999"' in response.content.decode()


def test_open_now_reads_the_schedule_in_the_partnerships_time_zone(
    login, clinic_user, services
):
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    # Tuesday 15:00 in Portland is 23:00 UTC: the pantry (Tue 14-18) is open.
    tuesday = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=zone)
    with time_machine.travel(tuesday, tick=False):
        open_names = listed(login(clinic_user).get(LIST_URL, {"open_now": "on"}))
    assert "Community food pantry" in open_names
    assert "Job center" in open_names
    # Tuesday 19:00 in Portland: the pantry and the job center are closed.
    evening = datetime.datetime(2026, 12, 1, 19, 0, tzinfo=zone)
    with time_machine.travel(evening, tick=False):
        closed = listed(login(clinic_user).get(LIST_URL, {"open_now": "on"}))
    # Every demo service has closed by then (the rides end at 19:00 sharp).
    assert closed == []


def test_capacity_filter(login, clinic_user, services):
    response = login(clinic_user).get(LIST_URL, {"capacity": "waitlist"})
    assert sorted(listed(response)) == [
        "Emergency rent assistance",
        "Utility bill assistance",
    ]


def test_zip_table_loads_from_the_census_gazetteer(tmp_path, db):
    from django.core.management import call_command

    gazetteer = tmp_path / "zcta.txt"
    gazetteer.write_text(
        "GEOID\tALAND\tAWATER\tALAND_SQMI\tAWATER_SQMI\tINTPTLAT\tINTPTLONG\n"
        "97266\t1\t0\t1\t0\t45.482\t-122.561\n"
    )
    call_command("load_zip_centroids", str(gazetteer))
    assert ZipCentroid.objects.get(zip_code="97266").latitude == 45.482


def test_search_near_a_zip_runs_a_fixed_number_of_queries(
    login, clinic_user, services, django_assert_max_num_queries
):
    client = login(clinic_user)
    # session, user, organization (menu), the partnership's time zone, the ZIP
    # (clean and filter), the partnerships giving the directories, count, the
    # page with organizations, locations, schedules, session save (3).
    with django_assert_max_num_queries(14):
        response = client.get(LIST_URL, {"zip_code": "97266", "within": 50})
    assert len(response.context["page_obj"]) >= 5


def test_the_pathway_picker_finds_resources_near_the_patient(
    login, partnership, clinic, supervisor, navigator, services
):
    from referrals.services import assignment, pathways, workflow
    from referrals.tests.factories import ReferralFactory

    referral = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        patient__postal_code="97266",
        patient__preferred_language="es",
        social_needs=["food-insecurity"],
    )
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need="employment-status", goal="A job"
    )
    response = login(navigator).get(
        f"/referrals/pathways/{pathway.code}/",
        {"need": "", "language": "", "q": "", "near_patient": "on"},
    )
    results = list(response.context["results"])
    assert results[0].name == "Community food pantry"
    distances = [service.distance_metres for service in results]
    assert distances == sorted(distances)
    assert "mi away" in response.content.decode()
