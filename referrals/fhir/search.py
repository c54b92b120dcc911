"""FHIR search over chwlink's referrals and patients, as a clinic's system may
run it: the parameters each resource type supports, parsed strictly (an unknown
parameter or a malformed value is an error, not an empty result), applied to the
rows the client may see, and paged by a cursor in ``Bundle.link[next]``."""

import base64
import datetime
import uuid
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from referrals.fhir.status import COMPLETED_TASK, TASK_STATUS
from referrals.models import Patient, Referral

Status = Referral.Status

DEFAULT_COUNT = 50
MAX_COUNT = 100
# Parameters every search accepts besides its own.
COMMON = {"_count", "_cursor", "_format", "_include"}


class SearchError(Exception):
    """A search FHIR cannot answer: the OperationOutcome issue to send."""

    def __init__(self, diagnostics: str, *, expression: str = "", code="invalid"):
        super().__init__(diagnostics)
        self.code, self.diagnostics, self.expression = code, diagnostics, expression


@dataclass
class Search:
    """A parsed search: the filter, the page size, where the page starts and
    what to include beside the matches."""

    where: Q = field(default_factory=Q)
    count: int = DEFAULT_COUNT
    after: tuple | None = None
    include: set[str] = field(default_factory=set)


def _values(params, name: str) -> list[str]:
    values = [v for value in params.getlist(name) for v in value.split(",")]
    if any(not v.strip() for v in values):
        raise SearchError(f"{name} has an empty value.", expression=name)
    return [v.strip() for v in values]


def _code(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise SearchError(
            f"{name}: {value!r} is not an id chwlink issued.", expression=name
        ) from None


def _reference(value: str, resource_type: str, name: str) -> uuid.UUID:
    """``Patient/<id>``, ``<id>`` or an absolute URL ending in ``Patient/<id>``."""
    kind, _, ident = value.rstrip("/").rpartition("/")
    if kind and kind.rpartition("/")[2] != resource_type:
        raise SearchError(
            f"{name} refers to {resource_type} resources, not {value!r}.",
            expression=name,
        )
    return _code(ident, name)


PREFIXES = {"eq", "gt", "ge", "lt", "le"}


def _moment(value: str, name: str) -> tuple[str, datetime.datetime]:
    prefix, rest = (value[:2], value[2:]) if value[:2] in PREFIXES else ("eq", value)
    moment = parse_datetime(rest)
    if moment is None and parse_date(rest):
        moment = datetime.datetime.combine(parse_date(rest), datetime.time())
    if moment is None:
        raise SearchError(
            f"{name}: {value!r} is not a date or instant (gt2026-11-30T08:00:00Z).",
            expression=name,
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return prefix, moment


def _last_updated(params) -> Q:
    where = Q()
    for value in params.getlist("_lastUpdated"):
        prefix, moment = _moment(value, "_lastUpdated")
        lookup = {"eq": "", "gt": "__gt", "ge": "__gte", "lt": "__lt", "le": "__lte"}
        where &= Q(**{f"updated{lookup[prefix]}": moment})
    return where


def _count(params) -> int:
    raw = params.get("_count", str(DEFAULT_COUNT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
        raise SearchError(
            f"_count must be a whole number from 1 to {MAX_COUNT}.", expression="_count"
        )
    return int(raw)


def cursor_of(row) -> str:
    text = f"{row.updated.isoformat()}|{row.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _after(params) -> tuple | None:
    raw = params.get("_cursor")
    if raw is None:
        return None
    try:
        moment, _, pk = base64.urlsafe_b64decode(raw.encode()).decode().partition("|")
        return parse_datetime(moment), int(pk)
    except (ValueError, TypeError):
        raise SearchError(
            "_cursor is not one chwlink's next link gave.", expression="_cursor"
        ) from None


def _checked(params, supported: set[str], includes: set[str]) -> Search:
    unknown = sorted(set(params) - supported - COMMON)
    if unknown:
        raise SearchError(
            f"Unknown search parameter {unknown[0]!r}; supported: "
            + ", ".join(sorted(supported)),
            expression=unknown[0],
            code="not-supported",
        )
    include = set(_values(params, "_include")) if "_include" in params else set()
    if include - includes:
        raise SearchError(
            f"_include={sorted(include - includes)[0]} is not supported; "
            f"supported: {', '.join(sorted(includes)) or 'none'}",
            expression="_include",
            code="not-supported",
        )
    return Search(count=_count(params), after=_after(params), include=include)


def task_status_q(value: str) -> Q:
    """The referrals whose Task has this status (``status.task_state``)."""
    statuses = [s for s, task in TASK_STATUS.items() if task == value]
    if value == "cancelled":
        return Q(status=Status.CANCELLED) | Q(
            status=Status.DECLINED, accepted_at__isnull=False
        )
    if value == "rejected":
        return Q(status=Status.DECLINED, accepted_at__isnull=True)
    if not statuses:
        raise SearchError(
            f"status: {value!r} is not a Task status chwlink uses.",
            expression="status",
        )
    return Q(status__in=statuses)


TASK_PARAMS = {
    "_id", "code", "patient", "requester", "owner", "status", "focus", "_lastUpdated",
}  # fmt: skip
TASK_INCLUDES = {"Task:focus", "Task:output", "Task:patient"}


def task_search(params) -> Search:
    search = _checked(params, TASK_PARAMS, TASK_INCLUDES)
    where = _last_updated(params)
    for name, resource_type, lookup in (
        ("_id", None, "code__in"),
        ("focus", "ServiceRequest", "code__in"),
        ("patient", "Patient", "patient__code__in"),
        ("owner", "Organization", "partnership__cbo__code__in"),
        ("requester", "Organization", "partnership__health_system__code__in"),
    ):
        if name in params:
            values = _values(params, name)
            codes = [
                _code(v, name) if resource_type is None
                else _reference(v, resource_type, name)
                for v in values
            ]  # fmt: skip
            where &= Q(**{lookup: codes})
    if "status" in params:
        any_status = Q(pk__in=[])
        for value in _values(params, "status"):
            any_status |= task_status_q(value)
        where &= any_status
    if "code" in params:
        for value in _values(params, "code"):
            system, _, code = value.rpartition("|")
            if code != "fulfill" or system not in (
                "",
                "http://hl7.org/fhir/CodeSystem/task-code",
            ):
                where &= Q(pk__in=[])
    search.where = where
    return search


SERVICE_REQUEST_PARAMS = {"_id", "patient", "status", "_lastUpdated"}
SERVICE_REQUEST_INCLUDES = {"ServiceRequest:patient"}


def service_request_search(params) -> Search:
    from referrals.fhir.emit import SERVICE_REQUEST_STATUS

    search = _checked(params, SERVICE_REQUEST_PARAMS, SERVICE_REQUEST_INCLUDES)
    where = _last_updated(params)
    if "_id" in params:
        where &= Q(code__in=[_code(v, "_id") for v in _values(params, "_id")])
    if "patient" in params:
        codes = [
            _reference(v, "Patient", "patient") for v in _values(params, "patient")
        ]
        where &= Q(patient__code__in=codes)
    if "status" in params:
        wanted = set(_values(params, "status"))
        known = set(SERVICE_REQUEST_STATUS.values())
        if wanted - known:
            raise SearchError(
                f"status: {sorted(wanted - known)[0]!r} is not a ServiceRequest status "
                "chwlink uses.",
                expression="status",
            )
        where &= Q(
            status__in=[s for s, v in SERVICE_REQUEST_STATUS.items() if v in wanted]
        )
    search.where = where
    return search


PATIENT_PARAMS = {"_id", "identifier", "family", "given", "birthdate", "_lastUpdated"}


def patient_search(params) -> Search:
    search = _checked(params, PATIENT_PARAMS, set())
    where = _last_updated(params)
    if "_id" in params:
        where &= Q(code__in=[_code(v, "_id") for v in _values(params, "_id")])
    if "identifier" in params:
        (value,) = params.getlist("identifier")[:1]
        where &= Q(mrn=value.rpartition("|")[2])
    for name, lookup in (("family", "last_name"), ("given", "first_name")):
        if name in params:
            where &= Q(**{f"{lookup}__istartswith": params[name]})
    if "birthdate" in params:
        prefix, moment = _moment(params["birthdate"], "birthdate")
        lookup = {"eq": "", "gt": "__gt", "ge": "__gte", "lt": "__lt", "le": "__lte"}
        where &= Q(**{f"date_of_birth{lookup[prefix]}": moment.date()})
    search.where = where
    return search


PROCEDURE_PARAMS = {"based-on", "patient"}


def procedure_search(params) -> Search:
    search = _checked(params, PROCEDURE_PARAMS, set())
    where = COMPLETED_TASK
    if "based-on" in params:
        codes = [
            _reference(v, "ServiceRequest", "based-on")
            for v in _values(params, "based-on")
        ]
        where &= Q(code__in=codes)
    if "patient" in params:
        codes = [
            _reference(v, "Patient", "patient") for v in _values(params, "patient")
        ]
        where &= Q(patient__code__in=codes)
    search.where = where
    return search


def page(queryset: QuerySet, search: Search) -> tuple[list, str | None]:
    """One page of matches in the order they last changed (oldest first, so a
    poller that follows ``next`` misses nothing), and the next page's cursor."""
    rows = queryset.filter(search.where)
    if search.after:
        moment, pk = search.after
        rows = rows.filter(Q(updated__gt=moment) | Q(updated=moment, pk__gt=pk))
    rows = list(rows.order_by("updated", "pk")[: search.count + 1])
    more = len(rows) > search.count
    rows = rows[: search.count]
    return rows, cursor_of(rows[-1]) if more else None


def patients_of(client) -> QuerySet[Patient]:
    """The patients a client's health system holds."""
    return Patient.objects.filter(health_system_id=client.clinic.organization_id)


def referrals_of(client) -> QuerySet[Referral]:
    """Every referral of the client's health system, however it was made (in the
    browser or through the API): what the health system's staff see."""
    return (
        Referral.objects.filter(
            partnership__health_system_id=client.clinic.organization_id
        )
        .select_related(
            "patient",
            "clinic",
            "referred_by",
            "consent_recorded_by",
            "partnership__cbo",
            "partnership__health_system",
        )  # fmt: skip
        .prefetch_related("pathways")
    )
