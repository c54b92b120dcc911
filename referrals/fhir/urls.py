from django.urls import path, re_path

from referrals.views import fhir

app_name = "fhir"

READS = {
    "Task": fhir.task_read,
    "ServiceRequest": fhir.service_request_read,
    "Patient": fhir.patient_read,
    "Procedure": fhir.procedure_read,
    "Consent": fhir.consent_read,
}
SEARCHES = {
    "Task": fhir.task_type,
    "ServiceRequest": fhir.service_request_type,
    "Patient": fhir.patient_type,
    "Procedure": fhir.procedure_type,
}

# URL names follow the resource type (``fhir:task-read``): the access log reads
# the kind of record from them.
urlpatterns = [
    path("", fhir.transaction, name="transaction"),
    path("metadata", fhir.metadata, name="metadata"),
    path(".well-known/smart-configuration", fhir.smart_configuration, name="smart"),
    path("auth/token", fhir.token, name="token"),
    *[
        path(f"{kind}/<uuid:code>", view, name=f"{kind.lower()}-read")
        for kind, view in READS.items()
    ],
    *[
        path(kind, view, name=f"{kind.lower()}-search")
        for kind, view in SEARCHES.items()
    ],
    re_path(r"^(?P<rest>.+)$", fhir.unknown, name="unknown"),
]
