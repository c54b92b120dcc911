"""A directory as HSDS records: the services, organizations and locations a
reader may see, in a fixed number of queries whatever their number."""

from django.db.models import Prefetch, Q, QuerySet

from referrals.hsds import emit
from referrals.models import ResourceLocation, ResourceOrganization, ResourceService


def visible_to(owner_ids, *, public: bool = False) -> Q:
    """Organizations of the directories kept by ``owner_ids``, and with ``public``
    every organization listed publicly."""
    condition = Q(directory_owner_id__in=list(owner_ids))
    if public:
        condition |= Q(is_public=True)
    return condition


def services_of(organizations: QuerySet) -> QuerySet[ResourceService]:
    return (
        ResourceService.objects.filter(organization__in=organizations)
        .select_related("organization")
        .prefetch_related(*emit.service_prefetches())
        .order_by("name", "pk")
    )


def locations_of(organizations: QuerySet) -> QuerySet[ResourceLocation]:
    return (
        ResourceLocation.objects.filter(organization__in=organizations)
        .select_related("organization")
        .prefetch_related("schedules")
        .order_by("name", "pk")
    )


def organizations_full(organizations: QuerySet) -> list[dict]:
    """Each organization with its services and locations
    (``schema/compiled/organization.json``)."""
    organizations = organizations.order_by("name", "pk").prefetch_related(
        Prefetch("services", queryset=services_of(organizations)),
        Prefetch("locations", queryset=locations_of(organizations)),
    )
    terms = emit.own_terms()
    return [
        emit.organization_record(
            organization,
            services=[
                emit.service_record(service, terms, with_organization=False)
                for service in organization.services.all()
            ],
            locations=[
                emit.location_record(location)
                for location in organization.locations.all()
            ],
        )
        for organization in organizations
    ]


def directory_records(owner_id: int) -> list[dict]:
    """Everything a CBO's directory holds, as a list of full organizations."""
    return organizations_full(
        ResourceOrganization.objects.filter(directory_owner_id=owner_id)
    )
