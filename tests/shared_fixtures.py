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
