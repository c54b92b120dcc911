"""One world for the security proofs: the demo data plus the few records it lacks.

The demo (``seed_demo``) is built through the real services and holds every role of
two unrelated partnerships and referrals in every state. It is loaded once per module
inside a transaction that is rolled back at the end; each test runs in a savepoint
inside it, so tests stay independent and the database is left as it was found.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLResolver, get_resolver
from django.urls.converters import UUIDConverter

from evaluation.models import (
    PamAdministration,
    PamConversionTable,
    Report,
    Story,
    Theme,
    UtilizationImport,
    UtilizationRecord,
)
from evaluation.services import reports, utilization
from evaluation.services.pam import pam_table_upload
from partners import services as partner_services
from partners.models import (
    Contract,
    Partnership,
    PlanTask,
    RequiredTraining,
    Statement,
    TrainingSession,
    User,
)
from partners.tests.factories import UserFactory
from referrals.models import (
    Notification,
    Pathway,
    Patient,
    Referral,
    ResourceService,
)
from referrals.services import intake

Role = User.Role
AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
HOME = "Cascade Health + Familias Unidas"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"

# The roles of the access matrix; "outsider" is a user of another partnership.
# Not in the matrix: the Django admin (staff-only, its own permission system, tested
# by Django) and django-allauth's sign-in, sign-up, password and MFA pages (reachable
# signed out by design; their rules are allauth's and tested there and in
# partners/tests/test_signin.py).
SKIPPED_NAMESPACES = frozenset({"admin"})
SKIPPED_MODULES = ("allauth.", "django.contrib.admin.")

ROLES = (
    "anonymous",
    "clinic",
    "supervisor",
    "navigator",
    "manager",
    "administrator",
    "outsider",
)


@dataclass
class World:
    partnership: Partnership | None = None
    users: dict = field(default_factory=dict)
    # Keyword arguments to reverse each URL name with, keyed by URL name.
    kwargs: dict = field(default_factory=dict)
    # What the matrix posts, where an empty form would not reach the access rule.
    post_data: dict = field(default_factory=dict)
    # One user of another partnership per role, for the cross-organization proof.
    outsiders: dict = field(default_factory=dict)


def _user(email):
    return User.objects.get(email=email)


def _draft(clinic_user):
    patient = Patient.objects.filter(health_system=clinic_user.organization).first()
    return intake.referral_save_draft(
        actor=clinic_user,
        patient=patient,
        referral=None,
        data={
            "clinic": clinic_user.site,
            "medical_reasons": ["diabetes"],
            "medical_reason_other": "",
            "social_needs": ["food-insecurity"],
            "urgency": "routine",
            "notes_for_navigator": "",
            "consent_given": True,
        },
    )


def _build() -> World:
    call_command("seed_demo", verbosity=0)
    home = Partnership.objects.get(name=HOME)
    other = Partnership.objects.exclude(pk=home.pk).get()
    manager = _user("manager@example.org")
    world = World(
        partnership=home,
        users={
            "clinic": _user("clinic@example.org"),
            "supervisor": _user("supervisor@example.org"),
            "navigator": _user("navigator@example.org"),
            "manager": manager,
            "administrator": _user("admin@example.org"),
        },
    )
    world.outsiders = {
        Role.CLINIC_STAFF: _user("clinic2@example.org"),
        Role.SUPERVISOR: _user("supervisor2@example.org"),
        Role.NAVIGATOR: _user("navigator2@example.org"),
        Role.PROGRAM_MANAGER: UserFactory(
            email="manager2@example.org",
            role=Role.PROGRAM_MANAGER,
            organization=other.health_system,
        ),
    }
    # The outsider column of the matrix: a supervisor of the other partnership.
    world.users["outsider"] = world.outsiders[Role.SUPERVISOR]

    contract = Contract.objects.filter(
        partnership=home, kind=Contract.Kind.SERVICE
    ).first()
    partner_services.contract_save(
        actor=manager,
        partnership=home,
        contract=contract,
        data={},
        document=SimpleUploadedFile("agreement.pdf", PDF, "application/pdf"),
    )
    referrals = Referral.objects.filter(partnership=home)
    submitted = referrals.filter(status=Referral.Status.SUBMITTED).first()
    accepted = referrals.filter(status=Referral.Status.ACCEPTED).first()
    assigned = referrals.filter(status=Referral.Status.ASSIGNED).first()
    working = referrals.filter(
        status=Referral.Status.IN_PROGRESS, navigator=world.users["navigator"]
    ).first()
    draft = _draft(world.users["clinic"])
    pathway = Pathway.objects.filter(referral=working).first()
    notification = Notification.objects.filter(
        recipient=world.users["supervisor"]
    ).first()
    story = Story.objects.filter(referral__partnership=home).first()
    table = pam_table_upload(
        actor=manager,
        name="Licensed 2026",
        cut_set="current",
        license_reference="L-1",
        table_csv="answered,raw_sum,score\n12,36,58.1\n",
        wording_csv="",
    )
    report = reports.report_request(user=manager, query={})
    reports.report_build(report_id=report.pk)
    upload = utilization.utilization_import_upload(
        actor=manager,
        file_name="extract.csv",
        content="mrn,period,ed_visits,inpatient_admissions,hospital_days,"
        "readmissions_30d,primary_care_visits\nCH-100244,2026-01,1,0,0,0,1\n",
    )
    world.kwargs = _codes(
        home=home,
        contract=Contract.objects.get(pk=contract.pk),
        submitted=submitted,
        accepted=accepted,
        assigned=assigned,
        working=working,
        draft=draft,
        pathway=pathway,
        notification=notification,
        story=story,
        table=table,
        report=report,
        upload=upload,
    )
    world.post_data = {
        "referrals:referral-transition": {"version": submitted.version},
        "referrals:referral-message": {"text": "Checking in."},
    }
    return world


def _codes(**objects) -> dict:
    home = objects["home"]
    working = objects["working"]
    pathway = objects["pathway"]
    by_partnership = {"code": home.code}
    patient = {"code": working.patient.code}
    step = pathway.steps.filter(done_at__isnull=True).first() or pathway.steps.first()
    referral_urls = {
        "referral-detail": working,
        "referral-message": working,
        "referral-edit": objects["draft"],
        "referral-submit": objects["draft"],
        "referral-assign": objects["accepted"],
        "referral-share": working,
        "encounter-new": working,
        "pathway-new": working,
    }
    codes = {
        f"referrals:{name}": {"code": referral.code}
        for name, referral in referral_urls.items()
    }
    codes |= {
        f"partners:{name}": by_partnership
        for name in (
            "partnership-detail",
            "partnership-edit",
            "contract-new",
            "plan",
            "plan-task-new",
            "training",
            "training-session-new",
            "required-training-new",
            "statements",
            "statement-issue",
            "navigator-time",
        )
    }
    contract = {"code": objects["contract"].code}
    task = {"code": PlanTask.objects.filter(partnership=home).first().code}
    session = {"code": TrainingSession.objects.filter(partnership=home).first().code}
    required = {"code": RequiredTraining.objects.filter(partnership=home).first().code}
    statement = {"code": Statement.objects.filter(partnership=home).first().code}
    service = (
        ResourceService.objects.filter(organization__directory_owner=home.cbo).first()
        or ResourceService.objects.first()
    )
    codes |= {
        "partners:contract-edit": contract,
        "partners:contract-document": contract,
        "partners:plan-task-edit": task,
        "partners:plan-task-move": task,
        "partners:plan-task-complete": task,
        "partners:training-session-edit": session,
        "partners:required-training-remove": required,
        "partners:statement-detail": statement,
        "partners:statement-csv": statement,
        "referrals:notification-open": {"code": objects["notification"].code},
        "referrals:referral-create": {"patient_code": working.patient.code},
        "referrals:patient-detail": patient,
        "partners:patient-audit": patient,
        "referrals:patient-edit": patient,
        "referrals:resource-detail": {"code": service.code},
        "referrals:resource-edit": {"code": service.code},
        "referrals:resource-verify": {"code": service.code},
        "referrals:pathway-detail": {"code": pathway.code},
        "referrals:pathway-step-add": {"code": pathway.code},
        "referrals:pathway-step-toggle": {"code": pathway.code, "step_id": step.pk},
        "referrals:pathway-resource-link": {"code": pathway.code},
        "referrals:pathway-close": {"code": pathway.code},
        "referrals:pathway-review": {"code": pathway.code},
        "referrals:referral-transition": {
            "code": objects["submitted"].code,
            "action": "accept",
        },
        "evaluation:export-table": {"table": "funnel"},
        "evaluation:report-detail": {"code": objects["report"].code},
        "evaluation:report-status": {"code": objects["report"].code},
        "evaluation:report-csv": {"code": objects["report"].code},
        "evaluation:pam-table-deactivate": {"code": objects["table"].code},
        "evaluation:pam-detail": {
            "code": PamAdministration.objects.filter(patient=working.patient)
            .first()
            .code
        },
        "evaluation:patient-pam": patient,
        "evaluation:pam-new": patient,
        "evaluation:story-new": patient,
        "evaluation:story-detail": {"code": objects["story"].code},
        "evaluation:story-withdraw": {"code": objects["story"].code},
        "evaluation:story-deidentify": {"code": objects["story"].code},
        "evaluation:story-code": {"code": objects["story"].code},
        "evaluation:theme-edit": {"code": Theme.objects.first().code},
        "evaluation:utilization-edit": {
            "code": UtilizationRecord.objects.filter(
                patient__health_system=home.health_system
            )
            .first()
            .code
        },
        "evaluation:utilization-import-preview": {"code": objects["upload"].code},
        "evaluation:utilization-import-confirm": {"code": objects["upload"].code},
    }
    return codes


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo world, built once per module and rolled back after it."""
    private_dir = tmp_path_factory.mktemp("private")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PRIVATE_FILES_DIR=private_dir,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def signed_in(client):
    """A client signed in as the given user (or anonymous for ``None``)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend=AUTH_BACKEND)
        return client

    return sign_in


FINGERPRINTED = (
    Patient,
    Referral,
    Pathway,
    Notification,
    Contract,
    PlanTask,
    TrainingSession,
    RequiredTraining,
    Statement,
    ResourceService,
    PamAdministration,
    PamConversionTable,
    Story,
    Theme,
    Report,
    UtilizationRecord,
    UtilizationImport,
)


def _fingerprint_sql() -> str:
    # One round trip instead of dozens; every name comes from model metadata.
    parts = []
    for model in FINGERPRINTED:
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT count(*) FROM {table})")  # noqa: S608
        if "updated" in {f.name for f in model._meta.get_fields()}:
            parts.append(f"(SELECT max(updated) FROM {table})")  # noqa: S608
    states = (
        (Referral, "status || ':' || coalesce(navigator_id::text, '')"),
        (Pathway, "status"),
        (Notification, "coalesce(read_at::text, '')"),
    )
    for model, expression in states:
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(
            f"(SELECT md5(string_agg(id || ':' || {expression}, ',' ORDER BY id)) "  # noqa: S608
            f"FROM {table})"
        )
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple:
    """A cheap summary (one query) of the data a refused request must not change:
    row counts, the latest ``updated`` time and the workflow states."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return cursor.fetchone()


def _walk(patterns, namespace=""):
    """(name, takes an object code) for every pattern, through every include."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES or _is_skipped(entry.urlconf_name):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif not _is_skipped(entry.callback.__module__):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry}>"
            converters = entry.pattern.converters.values()
            yield name, any(isinstance(c, UUIDConverter) for c in converters)


def _is_skipped(module) -> bool:
    name = module if isinstance(module, str) else getattr(module, "__name__", "")
    return name.startswith(SKIPPED_MODULES)


def project_url_names() -> list[str]:
    """Every URL name of the project, except the skipped third-party ones."""
    return sorted({name for name, _ in _walk(get_resolver().url_patterns)})


def object_url_names() -> list[str]:
    """The URL names that address one record by its code."""
    return sorted({name for name, coded in _walk(get_resolver().url_patterns) if coded})
