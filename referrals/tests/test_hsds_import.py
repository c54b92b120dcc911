"""Importing HSDS files: a preview first, then apply; matched on HSDS ids, so the
same file twice changes nothing; bad files refused whole with a clear reason; the
spec's examples import without loss and export back equal in substance."""

import copy
import io
import json
import uuid
import zipfile

import pytest
from django.core.exceptions import ValidationError

from referrals.demo_directory import seed_directory
from referrals.hsds import export, importing, tabular
from referrals.models import (
    HsdsImport,
    ResourceOrganization,
    ResourceSchedule,
    ResourceService,
    ResourceTaxonomyTerm,
)
from tests.shared_fixtures import fixture_path, hsds_schema_errors

# Keys an export may add that restate what the file said (a parent's id, the
# taxonomy of a term, chwlink's own empty lists) or stamp it (last_modified).
DERIVED = {
    "organization_id",
    "service_id",
    "location_id",
    "taxonomy_id",
    "last_modified",
}


def example(name: str):
    return json.loads(fixture_path("hsds-3.0", "examples", f"{name}.json").read_text())


def lost(original, exported, path="") -> list[str]:
    """What of ``original`` is missing or different in ``exported`` (lists matched
    by id); keys only the export has must be DERIVED or empty."""
    if isinstance(original, dict) and isinstance(exported, dict):
        problems = []
        for key, value in original.items():
            if key == "last_modified":
                continue
            if key not in exported:
                problems.append(f"{path}/{key} missing")
            else:
                problems += lost(value, exported[key], f"{path}/{key}")
        for key in set(exported) - set(original):
            if key not in DERIVED and exported[key] not in ([], None, ""):
                problems.append(f"{path}/{key} added")
        return problems
    if isinstance(original, list) and isinstance(exported, list):
        if all(isinstance(item, dict) and "id" in item for item in original):
            by_id = {
                item.get("id"): item for item in exported if isinstance(item, dict)
            }
            return [
                problem
                for item in original
                for problem in (
                    lost(item, by_id[item["id"]], f"{path}[{item['id'][:8]}]")
                    if item["id"] in by_id
                    else [f"{path}[{item['id']}] missing"]
                )
            ]
        return [] if original == exported else [f"{path} differs"]
    return [] if original == exported else [f"{path}: {original!r} != {exported!r}"]


def upload(supervisor, data, name="directory.json") -> HsdsImport:
    if not isinstance(data, bytes):
        data = json.dumps(data).encode()
    return importing.hsds_import_upload(actor=supervisor, file_name=name, data=data)


def apply(supervisor, data, name="directory.json"):
    made = upload(supervisor, data, name)
    return importing.hsds_import_apply(actor=supervisor, upload=made)


def test_the_spec_organization_example_imports_and_exports_back_equal(supervisor):
    original = example("organization_full")
    done = apply(supervisor, original)
    assert done.refused_count == 0
    [exported] = export.directory_records(supervisor.organization_id)
    assert lost(original, exported) == []
    assert hsds_schema_errors(exported, "compiled/organization.json") == []
    # Its latitude of 100 is kept as sent but never used to measure distances.
    location = supervisor.organization.directory_organizations.get().locations.get()
    assert location.latitude is None


def test_the_spec_service_example_imports_without_loss(supervisor):
    original = example("service_full")
    apply(supervisor, original)
    service = ResourceService.objects.get(code=original["id"])
    terms = emit_terms()
    from referrals.hsds import emit

    record = emit.service_record(
        ResourceService.objects.prefetch_related(*emit.service_prefetches()).get(
            pk=service.pk
        ),
        terms,
    )
    assert lost(original, record) == []
    assert hsds_schema_errors(record, "compiled/service.json") == []


def emit_terms():
    from referrals.hsds import emit

    return emit.own_terms()


def test_preview_shows_what_apply_does_and_saves_nothing(supervisor):
    made = upload(supervisor, example("organization_full"))
    plan = importing.hsds_import_preview(made)
    assert [line["kind"] for line in plan.created] == [
        "organization",
        "location",
        "service",
    ]
    assert not ResourceOrganization.objects.exists()
    done = importing.hsds_import_apply(actor=supervisor, upload=made)
    assert (done.created_count, done.updated_count) == (3, 0)
    assert ResourceService.objects.count() == 1


def test_importing_the_same_file_again_changes_nothing(supervisor):
    apply(supervisor, example("organization_full"))
    snapshot = export.directory_records(supervisor.organization_id)
    again = upload(supervisor, example("organization_full"))
    plan = importing.hsds_import_preview(again)
    assert plan.created == [] and plan.updated == []
    assert len(plan.unchanged) == 3
    importing.hsds_import_apply(actor=supervisor, upload=again)
    assert export.directory_records(supervisor.organization_id) == snapshot


def test_a_changed_record_is_updated_in_place(supervisor):
    apply(supervisor, example("organization_full"))
    changed = example("organization_full")
    changed["services"][0]["name"] = "Counselling (renamed)"
    plan = importing.hsds_import_preview(upload(supervisor, changed))
    assert [line["name"] for line in plan.updated] == ["Counselling (renamed)"]


def test_a_chwlink_export_imports_into_another_chwlink_as_needs_and_capacity(
    partnership, supervisor, other_partnership
):
    seed_directory(partnership.cbo)
    records = export.directory_records(partnership.cbo_id)
    from partners.models import User
    from partners.tests.factories import UserFactory

    theirs = UserFactory(role=User.Role.SUPERVISOR, organization=other_partnership.cbo)
    made = upload(theirs, records)
    plan = importing.hsds_import_preview(made)
    assert {line["reason"] for line in plan.refused} == {
        "Another directory holds this id."
    }
    # Back into its own directory nothing is created and the export stays the
    # same (the first pass keeps the records as sent); a second pass is a no-op.
    back = apply(supervisor, records)
    assert back.created_count == 0 and back.refused_count == 0
    assert _without_stamps(export.directory_records(partnership.cbo_id)) == (
        _without_stamps(records)
    )
    again = apply(supervisor, records)
    assert (again.created_count, again.updated_count) == (0, 0)


def _without_stamps(records):
    for organization in records:
        for service in organization.get("services", []):
            service.pop("last_modified", None)
    return records


def test_the_data_package_round_trips(partnership, supervisor):
    seed_directory(partnership.cbo)
    records = export.directory_records(partnership.cbo_id)
    package = tabular.package_zip(records, name="home")
    ResourceSchedule.objects.all().delete()
    done = apply(supervisor, package, name="home.zip")
    assert done.refused_count == 0
    pantry = ResourceService.objects.get(name="Community food pantry")
    assert sorted(tuple(s.byday) for s in pantry.schedules.all()) == [
        ("SA",),
        ("TU", "TH"),
    ]
    assert pantry.needs == ["food-insecurity"]


def refused(supervisor, data, name="directory.json") -> str:
    with pytest.raises(ValidationError) as refusal:
        upload(supervisor, data, name)
    assert not HsdsImport.objects.exists()
    return " ".join(refusal.value.messages)


def test_bad_files_are_refused_whole_with_a_clear_reason(supervisor):
    assert "not valid JSON (line 1" in refused(supervisor, b'{"id": ')
    assert "not an HSDS file" in refused(
        supervisor, {"resourceType": "Bundle", "entry": []}
    )
    assert "not an HSDS file" in refused(supervisor, [1, 2])
    assert "larger than 10 MB" in refused(supervisor, b" " * (50 * 1024 * 1024))
    assert "no datapackage.json" in refused(
        supervisor, _zip({"services.csv": "id\n"}), name="x.zip"
    )

    twice = example("organization_full")
    other = copy.deepcopy(twice["services"][0])
    other["name"] = "Another service, same id"
    twice["services"].append(other)
    assert "used twice" in refused(supervisor, twice)

    unknown = example("organization_full")
    term = unknown["services"][0]["attributes"][0]["taxonomy_term"]
    del term["taxonomy_detail"]
    term["taxonomy_id"] = str(uuid.uuid4())
    assert "Unknown taxonomy" in refused(supervisor, unknown)

    no_term = example("organization_full")
    attribute = no_term["services"][0]["attributes"][0]
    del attribute["taxonomy_term"]
    attribute["taxonomy_term_id"] = str(uuid.uuid4())
    assert "Unknown taxonomy term" in refused(supervisor, no_term)
    assert not ResourceOrganization.objects.exists()
    assert not ResourceTaxonomyTerm.objects.exclude(
        taxonomy__name__contains="("
    ).exists()


def test_bad_records_are_refused_with_reasons_and_the_rest_imports(supervisor):
    data = example("organization_full")
    broken = copy.deepcopy(data["services"][0])
    broken.update(id=str(uuid.uuid4()), status="open", name="Odd status")
    nameless = copy.deepcopy(data["services"][0])
    nameless.update(id=str(uuid.uuid4()), name="")
    for record in (broken, nameless):
        record["service_at_locations"] = []
        record["attributes"] = []
    data["services"] += [broken, nameless]
    done = apply(supervisor, data)
    assert (done.created_count, done.refused_count) == (3, 2)
    plan = importing.hsds_import_preview(upload(supervisor, data))
    reasons = {line["reason"] for line in plan.refused}
    assert reasons == {"Its status open is none of HSDS's.", "It has no name."}


def test_a_confirmed_import_cannot_be_applied_twice(supervisor):
    made = upload(supervisor, example("organization_full"))
    importing.hsds_import_apply(actor=supervisor, upload=made)
    with pytest.raises(ValidationError):
        importing.hsds_import_apply(actor=supervisor, upload=made)


def _zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_supervisor_previews_then_imports_through_the_pages(login, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(supervisor)
    data = json.dumps(example("organization_full")).encode()
    sent = client.post(
        "/referrals/resources/import/",
        {"file": SimpleUploadedFile("org.json", data, "application/json")},
    )
    assert sent.status_code == 302
    preview = client.get(sent["Location"])
    assert "Example Organization Inc." in preview.content.decode()
    assert not ResourceOrganization.objects.exists()
    done = client.post(sent["Location"] + "confirm/", {"action": "import"})
    assert done.status_code == 302
    assert ResourceOrganization.objects.filter(
        directory_owner=supervisor.organization
    ).exists()


def test_a_broken_file_is_refused_on_the_page_keeping_nothing(login, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(supervisor).post(
        "/referrals/resources/import/",
        {"file": SimpleUploadedFile("bad.json", b"{oops", "application/json")},
    )
    assert response.status_code == 200
    assert "not valid JSON" in response.content.decode()
    assert not HsdsImport.objects.exists()


def test_another_cbos_import_is_404(login, supervisor, other_partnership):
    from partners.models import User
    from partners.tests.factories import UserFactory

    made = upload(supervisor, example("organization_full"))
    stranger = UserFactory(
        role=User.Role.SUPERVISOR, organization=other_partnership.cbo
    )
    client = login(stranger)
    assert client.get(f"/referrals/resources/import/{made.code}/").status_code == 404
    confirm = client.post(f"/referrals/resources/import/{made.code}/confirm/")
    assert confirm.status_code == 404
