"""The taxonomies chwlink's own fields travel in: the Gravity SDOH categories (a
service's needs) and chwlink's service capacity. Their ids derive from their URIs
and codes, the same in every chwlink, so an export from one imports into another
as needs and capacity (migration 0025 seeds the same rows)."""

import uuid

SDOH_TAXONOMY_URI = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
SDOH_TAXONOMY_ID = uuid.uuid5(uuid.NAMESPACE_URL, SDOH_TAXONOMY_URI)
CAPACITY_TAXONOMY_URI = "https://chwlink.org/hsds/service-capacity"
CAPACITY_TAXONOMY_ID = uuid.uuid5(uuid.NAMESPACE_URL, CAPACITY_TAXONOMY_URI)
OWN_TAXONOMIES = frozenset({SDOH_TAXONOMY_ID, CAPACITY_TAXONOMY_ID})


def sdoh_term_id(need: str) -> uuid.UUID:
    return uuid.uuid5(SDOH_TAXONOMY_ID, need)


def capacity_term_id(status: str) -> uuid.UUID:
    return uuid.uuid5(CAPACITY_TAXONOMY_ID, status)


def link_id(owner: uuid.UUID, kind: str, key: str = "") -> uuid.UUID:
    """The id of a record chwlink derives from another (an attribute for a need,
    the phone of an organization): stable across exports."""
    return uuid.uuid5(owner, f"{kind}:{key}")
