"""chwlink's directory in HSDS 3.0: every record it emits (export, data package,
each API endpoint) validates against the strict 3.0 schemas; a key reads its own
organization's directory and only the public listings of others."""

import io
import json
import zipfile

import pytest

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.demo_directory import seed_directory
from referrals.hsds import export, tabular
from referrals.hsds.keys import hsds_key_create, hsds_key_revoke
from referrals.hsds.taxonomy import SDOH_TAXONOMY_ID, sdoh_term_id
from referrals.models import (
    ResourceOrganization,
    ResourceService,
    ResourceServiceTerm,
    ResourceTaxonomy,
    ResourceTaxonomyTerm,
)
from tests.shared_fixtures import (
    fixture_path,
    hsds_response_errors,
    hsds_schema_errors,
)


@pytest.fixture
def directory(partnership, supervisor):
    services = seed_directory(partnership.cbo)
    taxonomy = ResourceTaxonomy.objects.create(name="211 LA", description="AIRS")
    term = ResourceTaxonomyTerm.objects.create(
        taxonomy=taxonomy, term_code="BD-1800", name="Food pantries", description="x"
    )
    pantry = next(s for s in services if s.name == "Community food pantry")
    ResourceServiceTerm.objects.create(service=pantry, term=term, value="weekly")
    return {"services": services, "term": term, "pantry": pantry}


@pytest.fixture
def other_directory(other_partnership):
    public = ResourceOrganization.objects.create(
        directory_owner=other_partnership.cbo,
        name="Open Clinic Network",
        is_public=True,
    )
    private = ResourceOrganization.objects.create(
        directory_owner=other_partnership.cbo, name="Private Shelter"
    )
    return {
        "public": ResourceService.objects.create(
            organization=public, name="Open dental day", needs=["stress"]
        ),
        "private": ResourceService.objects.create(
            organization=private, name="Private beds", needs=["homelessness"]
        ),
    }


@pytest.fixture
def key(supervisor):
    return hsds_key_create(
        actor=supervisor, organization=supervisor.organization, name="211 sync"
    )[1]


@pytest.fixture
def api(client, key):
    def get(path, **params):
        return client.get(f"/hsds/{path}", params, HTTP_AUTHORIZATION=f"Bearer {key}")

    return get


def test_the_export_validates_as_full_organizations(directory):
    fixture_path("hsds-3.0")
    records = export.directory_records(
        directory["pantry"].organization.directory_owner_id
    )
    assert len(records) == 7
    for record in records:
        assert hsds_schema_errors(record, "compiled/organization.json") == []
    pantry = next(
        service
        for record in records
        for service in record["services"]
        if service["name"] == "Community food pantry"
    )
    address = pantry["service_at_locations"][0]["location"]["addresses"][0]
    assert address["country"] == "US"
    statuses = {s["status"] for r in records for s in r["services"]}
    assert "temporarily closed" in statuses
    interpreters = [
        s["interpretation_services"]
        for r in records
        for s in r["services"]
        if "interpretation_services" in s
    ]
    assert interpreters and all(isinstance(value, str) for value in interpreters)
    terms = {a["taxonomy_term"]["id"] for a in pantry["attributes"]}
    assert str(sdoh_term_id("food-insecurity")) in terms
    assert str(directory["term"].code) in terms
    assert {s["byday"] for s in pantry["schedules"] if "byday" in s} == {"TU,TH", "SA"}


def test_the_data_package_rows_validate_against_the_tabular_schema(directory):
    fixture_path("hsds-3.0")
    owner = directory["pantry"].organization.directory_owner_id
    package = tabular.package_zip(export.directory_records(owner), name="home")
    archive = zipfile.ZipFile(io.BytesIO(package))
    descriptor = json.loads(archive.read("datapackage.json"))
    paths = {resource["path"] for resource in descriptor["resources"]}
    assert {"organizations.csv", "services.csv", "locations.csv"} <= paths
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    tables = tabular.read_tables(files)
    assert len(tables["service"]) == 8
    for table, rows in tables.items():
        for row in rows:
            errors = hsds_schema_errors({table: [row]}, "compiled/tabular.json")
            assert errors == [], (table, row, errors)


def test_every_endpoint_answers_as_the_openapi_file_says(api, directory):
    pantry = directory["pantry"]
    location = pantry.locations.first()
    checks = {
        "/": api(""),
        "/services": api("services"),
        "/services/{id}": api(f"services/{pantry.code}"),
        "/organizations": api("organizations"),
        "/organizations/{id}": api(f"organizations/{pantry.organization.code}"),
        "/taxonomies": api("taxonomies"),
        "/taxonomies/{id}": api(f"taxonomies/{SDOH_TAXONOMY_ID}"),
        "/taxonomy_terms": api("taxonomy_terms", per_page=100),
        "/taxonomy_terms/{id}": api(f"taxonomy_terms/{directory['term'].code}"),
    }
    for path, response in checks.items():
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store"
        assert hsds_response_errors(path, response.json()) == [], path
    # Locations are not in the 3.0 OpenAPI file: the location schema itself.
    listed = api("locations").json()
    assert listed["total_items"] == 6
    for item in listed["contents"]:
        assert hsds_schema_errors(item, "location.json") == []
    one = api(f"locations/{location.code}").json()
    assert hsds_schema_errors(one, "location.json") == []


def test_paging_search_and_taxonomy_filters(api, directory):
    first = api("services", per_page=3).json()
    assert (first["total_items"], first["total_pages"], first["size"]) == (8, 3, 3)
    assert first["first_page"] and not first["last_page"]
    last = api("services", per_page=3, page=3).json()
    assert last["size"] == 2 and last["last_page"]
    names = {
        item["name"] for item in api("services", search="pantry").json()["contents"]
    }
    assert names == {"Community food pantry"}
    by_term = api("services", taxonomy_term_id=str(directory["term"].code)).json()
    assert [item["name"] for item in by_term["contents"]] == ["Community food pantry"]
    by_need = api(
        "services", taxonomy_term_id=str(sdoh_term_id("housing-instability"))
    ).json()
    assert [item["name"] for item in by_need["contents"]] == [
        "Emergency rent assistance"
    ]
    terms = api("taxonomy_terms", taxonomy_id=str(SDOH_TAXONOMY_ID), per_page=100)
    assert terms.json()["total_items"] == 23
    assert api("services", page="x").status_code == 400


def test_another_organizations_key_sees_only_public_listings(
    client, directory, other_directory
):
    outsider = UserFactory(
        role=User.Role.SUPERVISOR,
        organization=other_directory["public"].organization.directory_owner,
    )
    _, other_key = hsds_key_create(
        actor=outsider, organization=outsider.organization, name="theirs"
    )
    _, home_key = hsds_key_create(
        actor=UserFactory(
            role=User.Role.SUPERVISOR,
            organization=directory["pantry"].organization.directory_owner,
        ),
        organization=directory["pantry"].organization.directory_owner,
        name="ours",
    )

    def names(raw):
        response = client.get("/hsds/services", {"per_page": 100}, HTTP_X_API_KEY=raw)
        return {item["name"] for item in response.json()["contents"]}

    assert names(home_key) == {s.name for s in directory["services"]} | {
        "Open dental day"
    }
    # The demo lists its pantry publicly; the home CBO's other services stay out.
    assert names(other_key) == {
        "Open dental day",
        "Private beds",
        "Community food pantry",
    }
    private = other_directory["private"]
    hidden = client.get(
        f"/hsds/services/{private.code}", HTTP_AUTHORIZATION=f"Bearer {home_key}"
    )
    assert hidden.status_code == 404
    hidden_org = client.get(
        f"/hsds/organizations/{private.organization.code}",
        HTTP_AUTHORIZATION=f"Bearer {home_key}",
    )
    assert hidden_org.status_code == 404


def test_no_key_a_wrong_key_or_a_revoked_key_is_refused(client, supervisor, key):
    assert client.get("/hsds/services").status_code == 401
    wrong = client.get("/hsds/services", HTTP_AUTHORIZATION="Bearer hsds_nope")
    assert wrong.status_code == 401
    record = supervisor.organization.hsds_keys.get()
    assert record.digest != key and key not in record.prefix + record.digest
    hsds_key_revoke(actor=supervisor, key=record)
    revoked = client.get("/hsds/services", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert revoked.status_code == 401
    assert client.post("/hsds/services").status_code in (401, 405)


def test_a_supervisor_cannot_make_a_key_for_another_organization(
    supervisor, other_partnership
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        hsds_key_create(
            actor=supervisor, organization=other_partnership.cbo, name="theirs"
        )


def test_lists_run_a_fixed_number_of_queries(
    api, directory, django_assert_max_num_queries
):
    api("services")  # the key's first use records it
    # key, partnerships (the key's readable directories), own terms, count, the
    # page of services with organizations, schedules, services at locations with
    # locations, their schedules, attributes with terms.
    with django_assert_max_num_queries(9):
        small = api("services", per_page=2)
    with django_assert_max_num_queries(9):
        large = api("services", per_page=100)
    assert small.json()["size"] == 2 and large.json()["size"] == 8
    # key, partnerships, count, the page of organizations.
    with django_assert_max_num_queries(4):
        api("organizations", per_page=100)
    # key, partnerships, count, the page of locations with their schedules.
    with django_assert_max_num_queries(5):
        api("locations", per_page=100)


def test_the_supervisor_downloads_the_directory_as_json_and_as_a_package(
    login, supervisor, directory
):
    client = login(supervisor)
    as_json = client.get("/referrals/resources/download/", {"format": "json"})
    assert as_json["Content-Disposition"].endswith('filename="hsds-directory.json"')
    records = json.loads(as_json.content)
    assert {record["name"] for record in records} >= {"Eastside Community Pantry"}
    package = client.get("/referrals/resources/download/", {"format": "package"})
    assert package["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert "datapackage.json" in names and "services.csv" in names


def test_a_navigator_cannot_export(login, navigator, directory):
    response = login(navigator).get("/referrals/resources/download/")
    assert response.status_code == 403
