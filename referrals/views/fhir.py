"""chwlink's FHIR API (``/fhir/``): a clinic's EHR follows its health system's
referrals as the Gravity IG's Tasks, with SMART Backend Services tokens.

Every answer is FHIR JSON; every refusal an ``OperationOutcome`` (401 without a
valid token, 403 outside the token's scopes, 404 for anything the client's
health system does not hold, with no hint whether it exists elsewhere).
"""

import json
from functools import wraps
from urllib.parse import urlencode

import pghistory
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from referrals.fhir import capability, emit, ingest, remote, search, updates
from referrals.fhir.auth import TokenRequestError, token_grant, token_issue
from referrals.fhir.status import COMPLETED_TASK

FHIR_JSON = "application/fhir+json; charset=utf-8"


def _json(data, *, status=200, content_type=FHIR_JSON, headers=None) -> HttpResponse:
    return HttpResponse(
        json.dumps(data), status=status, content_type=content_type, headers=headers
    )


def _outcome(status: int, code: str, diagnostics: str, expression="", headers=None):
    return _json(
        emit.operation_outcome(code, diagnostics, expression=expression),
        status=status,
        headers=headers,
    )


def _not_found():
    return _outcome(404, "not-found", "No such resource.")


def _base(request) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def _public(methods):
    def decorate(view):
        @csrf_exempt
        @login_not_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return _outcome(
                    405, "not-supported", f"Use {' or '.join(methods)} here."
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def fhir_api(resource_type: str, **permissions):
    """A FHIR endpoint: the bearer token's client acts through its account (so
    scoping, the access log and the change history name it), within the scope
    letter each method needs (``GET="s"``, ``POST="c"``)."""

    def decorate(view):
        @_public(list(permissions))
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            grant = token_grant(request.headers.get("Authorization", ""))
            if grant is None:
                return _outcome(
                    401,
                    "login",
                    "Send a valid access token: Authorization: Bearer <token> "
                    "(from the token endpoint).",
                    headers={"WWW-Authenticate": 'Bearer realm="chwlink"'},
                )
            letter = permissions[request.method]
            if not grant.allows(resource_type, letter):
                return _outcome(
                    403,
                    "forbidden",
                    f"The token's scopes do not allow this on {resource_type} "
                    f"(needs system/{resource_type}.{letter}).",
                )
            request.user = grant.client.account
            request.api_grant = grant
            with pghistory.context(user=grant.client.account.pk):
                return view(request, *args, **kwargs)

        return wrapper

    return decorate


@_public(["GET"])
def metadata(request):
    return _json(capability.capability_statement(_base(request)))


@_public(["GET"])
def smart_configuration(request):
    return _json(
        capability.smart_configuration(
            request.build_absolute_uri(reverse("fhir:token"))
        ),
        content_type="application/json",
    )


@_public(["POST"])
def token(request):
    try:
        issued = token_issue(
            data=request.POST,
            audience=request.build_absolute_uri(reverse("fhir:token")),
        )
    except TokenRequestError as refused:
        return _json(
            {"error": refused.error, "error_description": refused.description},
            status=refused.status,
            content_type="application/json",
        )
    return _json(
        issued,
        content_type="application/json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _versioned(resource: dict, row) -> HttpResponse:
    headers = {"Last-Modified": http_date(row.updated.timestamp())}
    if "versionId" in resource.get("meta", {}):
        headers["ETag"] = f'W/"{resource["meta"]["versionId"]}"'
    return _json(resource, headers=headers)


def _client(request):
    return request.api_grant.client


@fhir_api("Task", GET="r", PUT="u")
def task_read(request, code):
    referral = search.referrals_of(_client(request)).filter(code=code).first()
    if referral is None:
        return _not_found()
    if request.method == "PUT":
        return _task_update(request, referral)
    return _versioned(emit.task_resource(referral), referral)


def _body(request, expected=None) -> dict:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ingest.Unprocessable(_("The body is not JSON.")) from None
    return ingest.parsed(data, expected)


def _refused(error) -> HttpResponse:
    status = 400 if error.code in ("invalid", "structure") else 422
    if error.code == "conflict":
        status = 412
    if error.code == "transient":
        status = 502
    return _outcome(status, error.code, error.diagnostics, error.expression)


def _task_update(request, referral) -> HttpResponse:
    """The requester's changes the IG allows: cancel the Task, or mark it entered
    in error, on the version the client last read (``If-Match``)."""
    if not request.headers.get("If-Match"):
        return _outcome(
            428, "required", _("Send If-Match with the version you last read.")
        )
    try:
        task = _body(request, "Task")
        referral = updates.task_update_by_requester(
            referral=referral,
            actor=_client(request).account,
            task=task,
            if_match=request.headers["If-Match"],
        )
    except ingest.Unprocessable as refused:
        return _refused(refused)
    referral = search.referrals_of(_client(request)).get(pk=referral.pk)
    return _versioned(emit.task_resource(referral), referral)


@fhir_api("ServiceRequest", GET="r")
def service_request_read(request, code):
    referral = search.referrals_of(_client(request)).filter(code=code).first()
    if referral is None:
        return _not_found()
    return _versioned(emit.service_request_resource(referral), referral)


@fhir_api("Consent", GET="r")
def consent_read(request, code):
    referral = search.referrals_of(_client(request)).filter(code=code).first()
    consent = emit.consent_resource(referral) if referral else None
    if consent is None:
        return _not_found()
    return _versioned(consent, referral)


@fhir_api("Patient", GET="r")
def patient_read(request, code):
    patient = (
        search.patients_of(_client(request))
        .select_related("health_system")
        .filter(code=code)
        .first()
    )
    if patient is None:
        return _not_found()
    return _versioned(emit.patient_resource(patient), patient)


@fhir_api("Procedure", GET="r")
def procedure_read(request, code):
    completed = search.referrals_of(_client(request)).filter(
        Q(pathways__code=code) | Q(code=code), COMPLETED_TASK
    )
    for referral in completed.distinct():
        for procedure in emit.procedure_resources(referral):
            if procedure["id"] == str(code):
                return _json(procedure)
    return _not_found()


def _searchset(request, entries, next_cursor) -> HttpResponse:
    params = request.GET.copy()
    params.pop("_cursor", None)
    url = request.build_absolute_uri(request.path)
    links = {"self": request.build_absolute_uri()}
    if next_cursor:
        links["next"] = f"{url}?{urlencode({**params.dict(), '_cursor': next_cursor})}"
    return _json(emit.searchset(entries, base=_base(request), links=links))


def _search(request, parse, queryset, entries_of):
    try:
        parsed = parse(request.GET)
    except search.SearchError as error:
        return _outcome(400, error.code, error.diagnostics, error.expression)
    rows, next_cursor = search.page(queryset, parsed)
    return _searchset(request, entries_of(rows, parsed.include), next_cursor)


def _task_entries(rows, include):
    entries, patients = [], {}
    for referral in rows:
        entries.append((emit.task_resource(referral), "match"))
        if "Task:focus" in include:
            entries.append((emit.service_request_resource(referral), "include"))
        if "Task:output" in include:
            entries += [(p, "include") for p in emit.procedure_resources(referral)]
        if "Task:patient" in include:
            patients[referral.patient.pk] = referral.patient
    return entries + [(emit.patient_resource(p), "include") for p in patients.values()]


@fhir_api("Task", GET="s", POST="c")
def task_type(request):
    if request.method == "POST":
        return _task_create(request)
    queryset = search.referrals_of(_client(request)).select_related(
        "patient__health_system"
    )
    return _search(request, search.task_search, queryset, _task_entries)


def _created(request, referral, created: bool) -> HttpResponse:
    referral = search.referrals_of(_client(request)).get(pk=referral.pk)
    response = _versioned(emit.task_resource(referral), referral)
    if created:
        response.status_code = 201
        response["Location"] = (
            f"{_base(request)}Task/{referral.code}/_history/{referral.version}"
        )
    return response


def _task_create(request) -> HttpResponse:
    """A referral from a Task with its resources contained; ``If-None-Exist:
    identifier=system|value`` returns the referral that Task already made."""
    client = _client(request)
    try:
        condition = updates.if_none_exist(request.headers.get("If-None-Exist", ""))
        if condition and (found := ingest.existing(client, *condition)):
            return _created(request, found, created=False)
        task = _body(request, "Task")
        resolver = ingest.Resolver(fetch=remote.fetcher(client))
        resolver.add_contained(task)
        received = ingest.referral_receive(client=client, task=task, resolver=resolver)
    except ingest.Unprocessable as refused:
        return _refused(refused)
    return _created(request, received.referral, received.created)


@fhir_api("Task", POST="c")
def transaction(request):
    """A transaction Bundle: the Task with its ServiceRequest, Patient, Consent,
    Conditions and Goals, all kept or none."""
    try:
        bundle = _body(request, "Bundle")
        response = updates.transaction_apply(
            client=_client(request), bundle=bundle, base=_base(request)
        )
    except ingest.Unprocessable as refused:
        return _refused(refused)
    return _json(response)


def _service_request_entries(rows, include):
    entries, patients = [], {}
    for referral in rows:
        entries.append((emit.service_request_resource(referral), "match"))
        if "ServiceRequest:patient" in include:
            patients[referral.patient.pk] = referral.patient
    return entries + [(emit.patient_resource(p), "include") for p in patients.values()]


@fhir_api("ServiceRequest", GET="s")
def service_request_type(request):
    queryset = search.referrals_of(_client(request)).select_related(
        "patient__health_system"
    )
    return _search(
        request, search.service_request_search, queryset, _service_request_entries
    )


@fhir_api("Patient", GET="s")
def patient_type(request):
    queryset = search.patients_of(_client(request)).select_related("health_system")
    return _search(
        request,
        search.patient_search,
        queryset,
        lambda rows, include: [(emit.patient_resource(p), "match") for p in rows],
    )


@fhir_api("Procedure", GET="s")
def procedure_type(request):
    return _search(
        request,
        search.procedure_search,
        search.referrals_of(_client(request)),
        lambda rows, include: [
            (p, "match")
            for referral in rows
            for p in emit.procedure_resources(referral)
        ],
    )


@_public(["GET", "POST", "PUT", "DELETE"])
def unknown(request, **kwargs):
    """An id chwlink never issues, or a resource type it does not serve: a 404
    once the token is good (401 before, as everywhere)."""
    if token_grant(request.headers.get("Authorization", "")) is None:
        return _outcome(
            401,
            "login",
            "Send a valid access token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": 'Bearer realm="chwlink"'},
        )
    return _not_found()
