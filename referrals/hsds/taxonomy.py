"""The taxonomy chwlink's social needs belong to: the Gravity SDOH categories,
as an HSDS taxonomy whose terms' ids derive from their codes (the same ids in every
chwlink, so an export from one imports into another as needs)."""

import uuid

SDOH_TAXONOMY_URI = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
SDOH_TAXONOMY_ID = uuid.uuid5(uuid.NAMESPACE_URL, SDOH_TAXONOMY_URI)


def sdoh_term_id(need: str) -> uuid.UUID:
    return uuid.uuid5(SDOH_TAXONOMY_ID, need)
