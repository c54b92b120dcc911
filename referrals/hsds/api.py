"""The HSDS 3.0 read API (``/hsds/``), as the spec's OpenAPI file describes it:
JSON pages of services, organizations, locations, taxonomies and terms.

Each request presents an organization's key (``Authorization: Bearer hsds_…`` or
``X-Api-Key``). It reads that organization's directory (a health system: its
partner CBOs' directories too) and every organization listed publicly; anything
else answers 404, as if it did not exist.
"""

import datetime
import functools
import math
import uuid

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from partners.models import Partnership
from referrals.hsds import emit, export
from referrals.hsds.keys import key_for
from referrals.hsds.taxonomy import CAPACITY_TAXONOMY_ID, SDOH_TAXONOMY_ID
from referrals.models import (
    ResourceOrganization,
    ResourceServiceTerm,
    ResourceTaxonomy,
    ResourceTaxonomyTerm,
)

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


def _presented_key(request) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return request.headers.get("X-Api-Key", "").strip()


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="chwlink-hsds"'
    return response


def hsds_view(view):
    """A read of the API: a live key, GET only, JSON out, never cached."""

    @login_not_required
    @require_GET
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = key_for(_presented_key(request))
        if key is None:
            return _error(
                401, "Send a valid HSDS API key: Authorization: Bearer <key>."
            )
        request.hsds_key = key
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _error(404, "Not found.")
        except ValueError as problem:
            return _error(400, str(problem))
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def readable_organizations(key):
    """The listed organizations the key may read."""
    owners = {key.organization_id}
    owners |= set(
        Partnership.objects.of_organization(key.organization_id)
        .accepted()
        .filter(health_system_id=key.organization_id)
        .values_list("cbo_id", flat=True)
    )
    return ResourceOrganization.objects.filter(export.visible_to(owners, public=True))


def _int(request, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number.") from None
    if value < 1:
        raise ValueError(f"{name} must be 1 or more.")
    return value


def _page(request, queryset, to_record) -> JsonResponse:
    """The spec's ``Page``: counts, this page's number and size, and contents."""
    per_page = min(_int(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    number = _int(request, "page", 1)
    total = queryset.count()
    pages = max(1, math.ceil(total / per_page))
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": number,
            "size": len(rows),
            "first_page": number == 1,
            "last_page": number >= pages,
            "empty": total == 0,
            "contents": [to_record(row) for row in rows],
        }
    )


def _words(request) -> list[str]:
    return (request.GET.get("search") or "").split()[:8]


@hsds_view
def root(request):
    return JsonResponse(
        {
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": "https://raw.githubusercontent.com/openreferral/"
            "specification/3.0/schema/openapi.json",
        }
    )


def _services(request):
    services = export.services_of(readable_organizations(request.hsds_key))
    for word in _words(request):
        services = services.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
        )
    if request.GET.get("taxonomy_term_id"):
        services = services.filter(_with_term(request.GET["taxonomy_term_id"]))
    if request.GET.get("taxonomy_id"):
        services = services.filter(_with_taxonomy(request.GET["taxonomy_id"]))
    if request.GET.get("organization_id"):
        services = services.filter(
            organization__code=_uuid(request.GET["organization_id"])
        )
    if request.GET.get("modified_after"):
        moment = parse_datetime(request.GET["modified_after"])
        if moment is None:
            raise ValueError("modified_after must be a date and time (ISO 8601).")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        services = services.filter(updated__gte=moment)
    return services


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"{value} is not an HSDS id (a UUID).") from None


def _own_term(term) -> Q:
    """A term of chwlink's taxonomies, as the column it stands for."""
    if term.taxonomy and term.taxonomy.code == SDOH_TAXONOMY_ID:
        return Q(needs__contains=[term.term_code])
    if term.taxonomy and term.taxonomy.code == CAPACITY_TAXONOMY_ID:
        return Q(capacity_status=term.term_code)
    return Q(pk__in=ResourceServiceTerm.objects.filter(term=term).values("service_id"))


def _with_term(term_id: str) -> Q:
    term = (
        ResourceTaxonomyTerm.objects.filter(code=_uuid(term_id))
        .select_related("taxonomy")
        .first()
    )
    return _own_term(term) if term else Q(pk__in=[])


def _with_taxonomy(taxonomy_id: str) -> Q:
    code = _uuid(taxonomy_id)
    if code == SDOH_TAXONOMY_ID:
        return ~Q(needs=[])
    if code == CAPACITY_TAXONOMY_ID:
        return ~Q(capacity_status="")
    return Q(
        pk__in=ResourceServiceTerm.objects.filter(term__taxonomy__code=code).values(
            "service_id"
        )
    )


@hsds_view
def service_list(request):
    terms = emit.own_terms()
    services = _services(request)
    return _page(
        request,
        services,
        lambda service: emit.list_item(
            emit.service_record(service, terms, with_organization=False),
            emit.SERVICE_LIST_FIELDS,
        ),
    )


@hsds_view
def service_detail(request, code):
    service = _services(request).filter(code=code).first()
    if service is None:
        raise Http404
    return JsonResponse(emit.service_record(service, emit.own_terms()))


@hsds_view
def organization_list(request):
    organizations = readable_organizations(request.hsds_key).order_by("name", "pk")
    for word in _words(request):
        organizations = organizations.filter(
            Q(name__icontains=word) | Q(description__icontains=word)
        )
    return _page(
        request,
        organizations,
        lambda organization: emit.list_item(
            emit.organization_record(organization), emit.ORGANIZATION_LIST_FIELDS
        ),
    )


@hsds_view
def organization_detail(request, code):
    organizations = readable_organizations(request.hsds_key).filter(code=code)
    records = export.organizations_full(organizations)
    if not records:
        raise Http404
    return JsonResponse(records[0])


@hsds_view
def location_list(request):
    locations = export.locations_of(readable_organizations(request.hsds_key))
    for word in _words(request):
        locations = locations.filter(
            Q(name__icontains=word)
            | Q(city__icontains=word)
            | Q(address__icontains=word)
        )
    return _page(request, locations, emit.location_record)


@hsds_view
def location_detail(request, code):
    location = (
        export.locations_of(readable_organizations(request.hsds_key))
        .filter(code=code)
        .first()
    )
    if location is None:
        raise Http404
    return JsonResponse(emit.location_record(location))


@hsds_view
def taxonomy_list(request):
    taxonomies = ResourceTaxonomy.objects.order_by("name", "pk")
    for word in _words(request):
        taxonomies = taxonomies.filter(name__icontains=word)
    return _page(request, taxonomies, emit.taxonomy_record)


@hsds_view
def taxonomy_detail(request, code):
    taxonomy = ResourceTaxonomy.objects.filter(code=code).first()
    if taxonomy is None:
        raise Http404
    return JsonResponse(emit.taxonomy_record(taxonomy))


def _terms():
    return ResourceTaxonomyTerm.objects.select_related("taxonomy", "parent").order_by(
        "taxonomy__name", "name", "pk"
    )


@hsds_view
def taxonomy_term_list(request):
    terms = _terms()
    for word in _words(request):
        terms = terms.filter(Q(name__icontains=word) | Q(term_code__icontains=word))
    if request.GET.get("taxonomy_id"):
        terms = terms.filter(taxonomy__code=_uuid(request.GET["taxonomy_id"]))
    return _page(request, terms, emit.taxonomy_term_record)


@hsds_view
def taxonomy_term_detail(request, code):
    term = _terms().filter(code=code).first()
    if term is None:
        raise Http404
    return JsonResponse(emit.taxonomy_term_record(term))
