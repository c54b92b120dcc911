"""The external test material in ``../shared/fixtures`` (HL7 Gravity examples, the
FHIR R4 JSON schema, HSDS 3.0), which nobody here wrote: tests read it in place.
Without ``../shared`` a test skips on a laptop and fails in CI."""

import copy
import functools
import json
from pathlib import Path

from django.conf import settings

from conftest import service_missing

FIXTURES = Path(settings.BASE_DIR).parent / "shared" / "fixtures"


def fixture_path(*parts: str) -> Path:
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        service_missing(f"{path} is missing (the shared test fixtures)")
    return path


def gravity_examples() -> dict[str, dict]:
    """The IG's example resources by file name."""
    folder = fixture_path("gravity", "examples")
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@functools.cache
def _fhir_schema() -> dict:
    return json.loads(fixture_path("fhir-r4", "fhir.schema.json").read_text())


@functools.cache
def _validator(resource_type: str):
    """A validator of one definition (the schema's root ``oneOf`` also admits
    Medplum's own resource types; its README says to validate by ``$ref``)."""
    from jsonschema import Draft6Validator

    schema = copy.copy(_fhir_schema())
    schema.pop("oneOf", None)
    schema.pop("discriminator", None)
    schema["$ref"] = f"#/definitions/{resource_type}"
    return Draft6Validator(schema)


def fhir_schema_errors(resource: dict) -> list[str]:
    """What the FHIR R4 JSON schema finds wrong with a resource (none: valid)."""
    validator = _validator(resource["resourceType"])
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(resource)
    ]


HSDS_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _strict(node):
    """What the spec's own check does (``compiletojsonschema
    --set-additional-properties-false-everywhere``): no field beyond the schema's."""
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


@functools.cache
def _hsds_registry():
    """Every HSDS schema under the URL ``openapi.json`` names it by, read from
    the local copy (never fetched), made strict."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = fixture_path("hsds-3.0", "schema")
    resources = []
    for path in sorted(folder.rglob("*.json")):
        if path.name == "openapi.json":
            continue
        url = HSDS_BASE + path.relative_to(folder).as_posix()
        contents = _strict(json.loads(path.read_text()))
        resources.append((url, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@functools.cache
def _hsds_validator(name: str):
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(
        {"$ref": HSDS_BASE + name},
        registry=_hsds_registry(),
        format_checker=FormatChecker(),
    )


def hsds_schema_errors(record, name: str) -> list[str]:
    """What the strict HSDS 3.0 schema ``name`` (a path under ``schema/``, e.g.
    ``compiled/service.json``) finds wrong with a record (none: valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _hsds_validator(name).iter_errors(record)
    ]


@functools.cache
def hsds_openapi() -> dict:
    return json.loads(fixture_path("hsds-3.0", "schema", "openapi.json").read_text())


def hsds_response_schema(path: str) -> dict:
    """The 200 response schema of a GET in the OpenAPI file."""
    get = hsds_openapi()["paths"][path]["get"]
    return get["responses"]["200"]["content"]["application/json"]["schema"]


def hsds_response_errors(path: str, body) -> list[str]:
    """A response checked against the OpenAPI file: a page's fields against
    ``Page`` and each item against its strict schema; a single record against
    the schema its URL names."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = hsds_response_schema(path)
    if "$ref" in schema:
        return hsds_schema_errors(body, schema["$ref"].removeprefix(HSDS_BASE))
    if "allOf" not in schema:
        return [
            error.message
            for error in Draft202012Validator(
                _strict(schema), format_checker=FormatChecker()
            ).iter_errors(body)
        ]
    page = hsds_openapi()["components"]["schemas"]["Page"]
    errors = [
        f"page: {error.message}"
        for error in Draft202012Validator(page).iter_errors(body)
    ]
    required = set(page["properties"]) | {"contents"}
    errors += [f"page: {key} is missing" for key in sorted(required - set(body))]
    items = schema["properties"]["contents"]["items"]["$ref"].removeprefix(HSDS_BASE)
    for index, item in enumerate(body.get("contents", [])):
        errors += [f"contents/{index}/{e}" for e in hsds_schema_errors(item, items)]
    return errors
