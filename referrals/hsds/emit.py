"""chwlink's directory as HSDS 3.0 records.

Each record is built from chwlink's columns, then completed with what an import
brought and chwlink does not model (``hsds_extra``), so an imported record goes
back out as it came. Lists chwlink models only in part (phones, languages,
funding, addresses) go back out as received while chwlink's column still says
the same; once edited here, they are rebuilt from the column. Querysets that feed
these functions come from ``selectors`` with everything prefetched.
"""

from django.db.models import Prefetch

from partners.languages import LANGUAGE_NAMES
from referrals.hsds.tables import TABLES
from referrals.hsds.taxonomy import (
    CAPACITY_TAXONOMY_ID,
    SDOH_TAXONOMY_ID,
    capacity_term_id,
    link_id,
    sdoh_term_id,
)
from referrals.models import (
    ResourceLocation,
    ResourceOrganization,
    ResourceService,
    ResourceServiceAtLocation,
    ResourceServiceTerm,
    ResourceTaxonomy,
    ResourceTaxonomyTerm,
)


def _with_extra(record: dict, extra: dict) -> dict:
    """chwlink's fields win; the rest comes back as received."""
    return {**(extra or {}), **{k: v for k, v in record.items() if v is not None}}


def _text(value: str):
    return value or None


def _kept(extra: dict, key: str, current: list, keys_of, build) -> list:
    """The list as received while chwlink's column agrees with it, else rebuilt."""
    received = (extra or {}).get(key)
    if received is not None and [keys_of(item) for item in received] == current:
        return received
    return [build(index, value) for index, value in enumerate(current)]


def _phones(owner, extra, number: str) -> list:
    return _kept(
        extra,
        "phones",
        [number] if number else [],
        lambda item: item.get("number"),
        lambda index, value: {
            "id": str(link_id(owner, "phone", str(index))),
            "number": value,
        },
    )


def organization_record(
    organization: ResourceOrganization, *, services=None, locations=None
) -> dict:
    """An organization; with ``services`` and ``locations`` (lists of records) the
    full form that ``schema/compiled/organization.json`` describes."""
    extra = dict(organization.hsds_extra)
    record = {
        "id": str(organization.code),
        "name": organization.name,
        "description": organization.description,
        "email": _text(organization.email),
        "website": _text(organization.website),
        "phones": _phones(organization.code, extra, organization.phone),
    }
    if locations is not None:
        record["locations"] = locations
    if services is not None:
        record["services"] = services
    else:
        extra.pop("services", None)
    return _with_extra(record, extra)


def _languages(service: ResourceService, extra: dict) -> list:
    return _kept(
        extra,
        "languages",
        list(service.languages),
        lambda item: item.get("code"),
        lambda index, code: {
            "id": str(link_id(service.code, "language", code)),
            "name": str(LANGUAGE_NAMES.get(code, code)),
            "code": code,
        },
    )


def _funding(service: ResourceService, extra: dict) -> list:
    return _kept(
        extra,
        "funding",
        list(service.funding),
        lambda item: item.get("source"),
        lambda index, source: {
            "id": str(link_id(service.code, "funding", str(index))),
            "source": source,
        },
    )


def hours_schedule_id(service_code):
    return link_id(service_code, "hours")


def _clock(value, received) -> str:
    """A time as received when it still says the same (``10:00`` or
    ``10:00:00``), else written in full."""
    written = f"{value:%H:%M:%S}"
    if isinstance(received, str) and (received + ":00")[:8] == written:
        return received
    return written


def schedule_record(schedule) -> dict:
    extra = schedule.hsds_extra or {}
    record = {"id": str(schedule.code), "description": _text(schedule.description)}
    if schedule.byday and schedule.opens_at and schedule.closes_at:
        record |= {
            "freq": extra.get("freq", "WEEKLY"),
            "byday": ",".join(schedule.byday),
            "opens_at": _clock(schedule.opens_at, extra.get("opens_at")),
            "closes_at": _clock(schedule.closes_at, extra.get("closes_at")),
        }
    return _with_extra(record, extra)


def taxonomy_record(taxonomy: ResourceTaxonomy) -> dict:
    return _with_extra(
        {
            "id": str(taxonomy.code),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": _text(taxonomy.uri),
            "version": _text(taxonomy.version),
        },
        taxonomy.hsds_extra,
    )


def taxonomy_term_record(term: ResourceTaxonomyTerm) -> dict:
    record = {
        "id": str(term.code),
        "code": _text(term.term_code),
        "name": term.name,
        "description": term.description,
        "parent_id": str(term.parent.code) if term.parent_id else None,
    }
    if term.taxonomy_id:
        record["taxonomy_id"] = str(term.taxonomy.code)
        record["taxonomy_detail"] = taxonomy_record(term.taxonomy)
    return _with_extra(record, term.hsds_extra)


def _attributes(service: ResourceService, terms: dict) -> list:
    """Needs and capacity as attributes of chwlink's taxonomies, then the terms
    an import brought."""
    attributes = []
    for need in service.needs:
        term = terms.get(sdoh_term_id(need))
        if term is not None:
            attributes.append(
                _attribute(service, link_id(service.code, "need", need), term)
            )
    if service.capacity_status:
        term = terms.get(capacity_term_id(service.capacity_status))
        if term is not None:
            attributes.append(
                _attribute(
                    service,
                    link_id(service.code, "capacity"),
                    term,
                    value=service.capacity_note,
                )
            )
    for row in service.resourceserviceterm_set.all():
        attributes.append(
            _with_extra(
                {
                    "id": str(row.code),
                    "value": _text(row.value),
                    "taxonomy_term": taxonomy_term_record(row.term),
                },
                row.hsds_extra,
            )
        )
    return attributes


def _attribute(service, code, term, value="") -> dict:
    return {
        "id": str(code),
        "link_id": str(service.code),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": str(term.code),
        "value": value or term.name,
        "taxonomy_term": taxonomy_term_record(term),
    }


def _address(location: ResourceLocation, extra: dict) -> list:
    fields = [
        location.address,
        location.city,
        location.state,
        location.postal_code,
        location.country,
    ]
    if not location.address and not location.city and not location.postal_code:
        return (extra or {}).get("addresses", [])

    def keys_of(item):
        return [
            item.get("address_1"),
            item.get("city"),
            item.get("state_province"),
            item.get("postal_code"),
            item.get("country"),
        ]

    received = (extra or {}).get("addresses") or []
    if received and keys_of(received[0]) == fields:
        return received
    return [
        {
            "id": str(location.address_code),
            "location_id": str(location.code),
            "address_1": location.address,
            "city": location.city,
            "state_province": location.state,
            "postal_code": location.postal_code,
            "country": location.country,
            "address_type": "physical",
        },
        *received[1:],
    ]


def location_record(location: ResourceLocation) -> dict:
    extra = dict(location.hsds_extra)
    record = {
        "id": str(location.code),
        "location_type": extra.pop("location_type", "physical"),
        "organization_id": str(location.organization.code),
        "name": location.name,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "addresses": _address(location, extra),
        "schedules": [schedule_record(row) for row in location.schedules.all()]
        or extra.pop("schedules", None),
    }
    return _with_extra(record, extra)


def service_at_location_record(link: ResourceServiceAtLocation) -> dict:
    return _with_extra(
        {
            "id": str(link.code),
            "service_id": str(link.resourceservice.code),
            "location_id": str(link.resourcelocation.code),
            "location": location_record(link.resourcelocation),
        },
        link.hsds_extra,
    )


def service_record(
    service: ResourceService, terms: dict, *, with_organization: bool = True
) -> dict:
    """A service as ``schema/compiled/service.json`` describes it: with its
    organization (unless listed inside it), locations, schedules and attributes."""
    extra = dict(service.hsds_extra)
    record = {
        "id": str(service.code),
        "organization_id": str(service.organization.code),
        "name": service.name,
        "description": _text(service.description),
        "url": _text(service.url),
        "email": _text(service.email),
        "status": service.status,
        "interpretation_services": _text(service.interpretation_services),
        "application_process": _text(service.application_process),
        "eligibility_description": _text(service.eligibility),
        "fees_description": _text(service.fees),
        "last_modified": service.updated.isoformat(),
        "languages": _languages(service, extra),
        "funding": _funding(service, extra),
        "schedules": [schedule_record(row) for row in service.schedules.all()],
        "service_at_locations": [
            service_at_location_record(link)
            for link in service.resourceserviceatlocation_set.all()
        ],
        "attributes": _attributes(service, terms),
    }
    if service.hours:
        # The hours in words travel as a schedule of their own.
        record["schedules"].append(
            {"id": str(hours_schedule_id(service.code)), "description": service.hours}
        )
    if with_organization:
        organization = service.organization
        record["organization"] = organization_record(
            organization,
            locations=[location_record(place) for place in organization.locations.all()]
            or None,
        )
    return _with_extra(record, extra)


def own_terms() -> dict:
    """chwlink's taxonomy terms by id (needs and capacity), with their taxonomy."""
    return {
        term.code: term
        for term in ResourceTaxonomyTerm.objects.filter(
            taxonomy__code__in=[SDOH_TAXONOMY_ID, CAPACITY_TAXONOMY_ID]
        ).select_related("taxonomy", "parent")
    }


def service_prefetches() -> list:
    """What ``service_record`` reads, in a fixed number of queries."""
    return [
        "schedules",
        Prefetch(
            "resourceserviceatlocation_set",
            queryset=ResourceServiceAtLocation.objects.select_related(
                "resourcelocation__organization", "resourceservice"
            )
            .prefetch_related("resourcelocation__schedules")
            .order_by("pk"),
        ),
        Prefetch(
            "resourceserviceterm_set",
            queryset=ResourceServiceTerm.objects.select_related(
                "term__taxonomy", "term__parent"
            ),
        ),
    ]


# The one-to-one fields of a list item (``schema/compiled/*_list.json``): the same
# columns as the tabular format's tables.
SERVICE_LIST_FIELDS = TABLES["service"]["columns"]
ORGANIZATION_LIST_FIELDS = TABLES["organization"]["columns"]


def list_item(record: dict, fields) -> dict:
    return {key: record[key] for key in fields if key in record}
