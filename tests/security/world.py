"""The world of the security proofs, built here from factories and the real services.

Two unrelated partnerships with a person in every role, and in the home partnership
a record of every kind an access rule guards (each referral state the matrix visits,
its patient, pathway and steps, notifications, contracts with documents, the plan,
trainings, an issued statement, the CBO's directory, PAM, stories and themes,
utilization figures and an import, a report). The other partnership keeps records
of its own, so its people are refused with data of theirs in the database.

Nothing comes from the demo (``seed_demo`` and the ``demo`` modules): the demo is
there to be edited for show, and an edit there must not move or weaken a proof.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluation.services import pam, reports, stories, utilization
from partners import invitations
from partners import services as partner_services
from partners.models import (
    Contract,
    Organization,
    Partnership,
    TrainingKind,
    User,
)
from partners.statements import statement_issue, zone_of
from partners.tests.documents import pdf_bytes
from partners.tests.factories import OrganizationFactory, SiteFactory, UserFactory
from referrals.models import HsdsImport, Notification, TextMessage
from referrals.services import directory, intake, pathways
from referrals.tests import screenings, states
from referrals.tests.texting import texting_on

Role = User.Role
PDF = pdf_bytes()

# The home partnership's patients (first, last, birth date, MRN, phone): the PHI
# proof searches everything that leaves the application for these.
PATIENTS = [
    ("María", "Hernández", datetime.date(1961, 3, 14), "WH-100231", "503-555-1200"),
    ("José", "Ramírez", datetime.date(1975, 8, 2), "WH-100244", "503-555-1201"),
    ("Guadalupe", "Torres", datetime.date(1958, 12, 9), "WH-100251", "503-555-1202"),
    ("Linh", "Nguyen", datetime.date(1969, 5, 21), "WH-100263", "503-555-1203"),
    ("Rosa", "Delgado", datetime.date(1988, 1, 30), "WH-100270", "503-555-1204"),
]
OTHER_PATIENTS = [
    ("Harold", "Baker", datetime.date(1957, 9, 3), "WO-5521", "541-555-0142"),
    ("Janet", "Cole", datetime.date(1970, 2, 26), "WO-5530", "541-555-0187"),
]
PAM_ANSWERS = [2, 2, 3, 2, 2, 1, 2, 3, 2, 2, 2, 2, 1]


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
    # The records behind the URLs, by what they are ("working", "story" …).
    records: dict = field(default_factory=dict)


def _cast(prefix: str, domain: str) -> dict:
    """A health system with two clinics, a CBO and one person per role."""
    health_system = OrganizationFactory(
        name=f"{prefix} Health", kind=Organization.Kind.HEALTH_SYSTEM
    )
    cbo = OrganizationFactory(name=f"{prefix} Community", kind=Organization.Kind.CBO)
    site = SiteFactory(organization=health_system, name=f"{prefix} North Clinic")
    SiteFactory(organization=health_system, name=f"{prefix} South Clinic")

    def person(role, organization, **extra):
        name = role.replace("_", "")
        return UserFactory(
            email=f"{name}@{domain}", role=role, organization=organization, **extra
        )

    return {
        "clinic": person(Role.CLINIC_STAFF, health_system, site=site),
        "supervisor": person(Role.SUPERVISOR, cbo, languages=["es", "en"]),
        "navigator": person(Role.NAVIGATOR, cbo, languages=["es", "en"]),
        "manager": person(Role.PROGRAM_MANAGER, health_system),
        "administrator": person(Role.ADMINISTRATOR, health_system, is_superuser=True),
    }


def _partnership(name: str, people: dict) -> Partnership:
    manager = people["manager"]
    health_system = manager.organization
    return partner_services.partnership_create(
        actor=people["administrator"],
        data={
            "name": name,
            "health_system": health_system,
            "cbo": people["supervisor"].organization,
            "status": Partnership.Status.ACTIVE,
            "clinics": list(health_system.sites.all()),
            "health_system_contact": manager,
            "cbo_contact": people["supervisor"],
        },
    )


def _patients(clinic_user, rows) -> list:
    return [
        intake.patient_create(
            actor=clinic_user,
            data={
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "mrn": mrn,
                "phone": phone,
                "preferred_language": "es",
                "city": "Portland",
                "state": "OR",
            },
        )
        for first, last, born, mrn, phone in rows
    ]


def _setup(partnership, people, start, last_month) -> dict:
    """Contracts (with documents), the plan, trainings and last month's statement."""
    manager = people["manager"]
    signed = Contract.Status.SIGNED

    def contract(kind, title, **terms):
        return partner_services.contract_save(
            actor=manager,
            partnership=partnership,
            data={"kind": kind, "title": title, "status": signed} | terms,
            document=SimpleUploadedFile(f"{kind}.pdf", PDF, "application/pdf"),
        )

    service = contract(
        Contract.Kind.SERVICE,
        "Navigator services agreement",
        effective_on=start,
        accept_business_days=1,
        assign_business_days=1,
        first_contact_business_days=3,
    )
    payment = contract(
        Contract.Kind.PAYMENT,
        "Payment agreement",
        effective_on=start,
        fee_per_accepted_referral=Decimal("150.00"),
    )
    partner_services.pathway_rates_set(
        actor=manager, contract=payment, rates={"food_security": Decimal("350.00")}
    )
    task = partnership.plan_tasks.order_by("step", "position").first()
    partner_services.plan_task_update(
        actor=manager, task=task, data={"owner": manager, "due_on": last_month}
    )
    rule = partner_services.required_training_save(
        actor=manager,
        partnership=partnership,
        data={
            "role": Role.NAVIGATOR,
            "kind": TrainingKind.CHW_ORIENTATION,
            "due_within_days": 30,
            "renew_every_months": 12,
        },
    )
    session = partner_services.training_session_save(
        actor=manager,
        partnership=partnership,
        data={
            "title": "Orientation to clinic protocols",
            "kind": TrainingKind.CHW_ORIENTATION,
            "held_on": last_month,
            "trainer": manager.get_full_name(),
            "audience": partnership.cbo,
            "attendees": [people["navigator"], people["supervisor"]],
        },
    )
    statement = statement_issue(
        actor=manager, partnership=partnership, period_start=last_month
    )
    return {
        "contract": service,
        "payment": payment,
        "task": task,
        "required": rule,
        "session": session,
        "statement": statement,
    }


def _resource(supervisor):
    return directory.resource_service_save(
        actor=supervisor,
        data={
            "organization": None,
            "new_organization_name": "Neighbourhood Pantry",
            "organization_details": {"phone": "503-555-0142"},
            "name": "Community food pantry",
            "description": "Groceries every week.",
            "needs": ["food-insecurity"],
            "languages": ["es", "en"],
            "interpretation_services": "",
            "eligibility": "",
            "application_process": "Walk in.",
            "fees": "Free",
            "hours": "Tue–Sat 10–2",
            "capacity_note": "",
            "status": "active",
            "location": {
                "name": "Gateway pantry",
                "address": "10550 NE Halsey St",
                "city": "Portland",
                "state": "OR",
                "postal_code": "97220",
            },
            "verified_today": True,
        },
    )


def _referrals(people, patients, service) -> dict:
    """A referral in each state the matrix visits; the worked one has a pathway
    with a linked resource and one step done."""
    clinic, supervisor = people["clinic"], people["supervisor"]
    navigator = people["navigator"]
    draft, submitted, accepted, assigned, working = patients
    records = {
        "draft": states.draft_referral(clinic_user=clinic, patient=draft),
        "submitted": states.submitted_referral(clinic_user=clinic, patient=submitted),
        "accepted": states.accepted_referral(
            supervisor=supervisor, clinic_user=clinic, patient=accepted
        ),
        "assigned": states.assigned_referral(
            supervisor=supervisor,
            navigator=navigator,
            clinic_user=clinic,
            patient=assigned,
        ),
        "working": states.in_progress_referral(
            supervisor=supervisor,
            navigator=navigator,
            clinic_user=clinic,
            patient=working,
            social_needs=["food-insecurity", "employment-status"],
        ),
    }
    pathway = pathways.pathway_open(
        referral=records["working"],
        actor=navigator,
        need="food-insecurity",
        goal="Family has enough food every week",
    )
    pathways.pathway_resource_link(pathway=pathway, actor=navigator, service=service)
    pathways.pathway_step_toggle(
        pathway=pathway, actor=navigator, step=pathway.steps.order_by("position")[0]
    )
    records["pathway"] = pathway
    records["screening"] = screenings.screen(
        navigator,
        records["working"],
        screenings.NEEDY_AHC,
        setting=screenings.Setting.FIRST_CONTACT,
    )
    records["step"] = pathway.steps.filter(done_at__isnull=True).order_by("position")[0]
    return records


def _evaluation(people, working, today) -> dict:
    """PAM, a coded story, a theme, utilization figures and an import, a report."""
    manager, navigator = people["manager"], people["navigator"]
    patient = working.patient
    table = pam.pam_table_upload(
        actor=manager,
        name="Licensed 2026",
        cut_set="current",
        license_reference="L-1",
        table_csv="answered,raw_sum,score\n12,36,58.1\n",
        wording_csv="",
    )
    administration = pam.pam_record(
        actor=navigator,
        patient=patient,
        administered_on=today,
        language="es",
        mode="phone",
        kind="baseline",
        answers=PAM_ANSWERS,
        manual_score=Decimal("45.2"),
        manual_cut_set="current",
    )
    story = stories.story_record(
        actor=navigator,
        patient=patient,
        referral=working,
        told_on=today,
        language="es",
        domain="food",
        title="Comida para mis hijos",
        text="Ahora voy a la despensa cada semana.",
        consent_scope="public",
        consent_expires_on=today + datetime.timedelta(days=730),
        storyteller_approved=True,
    )
    stories.story_deidentify(
        actor=navigator,
        story=story,
        deidentified_text="Now I go to the pantry every week.",
    )
    theme = stories.theme_save(actor=manager, name="Food security")
    stories.story_code(actor=manager, story=story, theme=theme, excerpt="the pantry")
    record = utilization.utilization_save(
        actor=manager,
        patient=patient,
        values={
            "period": today.replace(day=1),
            "ed_visits": 1,
            "inpatient_admissions": 0,
            "hospital_days": 0,
            "readmissions_30d": 0,
            "primary_care_visits": 1,
        },
    )
    upload = utilization.utilization_import_upload(
        actor=manager,
        file_name="extract.csv",
        content="mrn,period,ed_visits,inpatient_admissions,hospital_days,"
        f"readmissions_30d,primary_care_visits\n{patient.mrn},"
        f"{today:%Y-%m},1,0,0,0,1\n",
    )
    report = reports.report_request(user=manager, query={})
    reports.report_build(report_id=report.pk)
    return {
        "table": table,
        "pam": administration,
        "story": story,
        "theme": theme,
        "utilization": record,
        "upload": upload,
        "report": report,
    }


def _other_partnership() -> dict:
    """The outsiders' own partnership, with a referral waiting and one worked."""
    people = _cast("Klamath", "klamath.test")
    _partnership("Klamath Health + Klamath Community", people)
    waiting, worked = _patients(people["clinic"], OTHER_PATIENTS)
    states.submitted_referral(clinic_user=people["clinic"], patient=waiting)
    states.in_progress_referral(
        supervisor=people["supervisor"],
        navigator=people["navigator"],
        clinic_user=people["clinic"],
        patient=worked,
    )
    return people


def build() -> World:
    """Build the world (call it inside a transaction that is rolled back)."""
    people = _cast("Willamette", "willamette.test")
    home = _partnership("Willamette Health + Willamette Community", people)
    outsiders = _other_partnership()
    # Last month in the partnership's zone has ended, so it can be billed.
    today = timezone.localdate(timezone=zone_of(home))
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    start = last_month.replace(year=last_month.year - 1)

    records = _setup(home, people, start, last_month)
    records["service"] = _resource(people["supervisor"])
    records["hsds_import"] = HsdsImport.objects.create(
        directory_owner=people["supervisor"].organization,
        file_name="directory.json",
        content=[],
        uploaded_by=people["supervisor"],
    )
    patients = _patients(people["clinic"], PATIENTS)
    records |= _referrals(people, patients, records["service"])
    records |= _evaluation(people, records["working"], timezone.localdate())
    records["notification"] = Notification.objects.filter(
        recipient=people["supervisor"]
    ).earliest("pk")
    records["text"] = _texts(home, records["working"])
    # The home manager's invitation to a CBO it has no partnership with: not a
    # record of the home partnership, so it is kept out of ``records``.
    invitation = invitations.partnership_invite(
        actor=people["manager"],
        data={
            "name": "Willamette Health + Columbia Community",
            "health_system": people["manager"].organization,
            "cbo": OrganizationFactory(
                name="Columbia Community", kind=Organization.Kind.CBO
            ),
        },
    )

    world = World(partnership=home, users=dict(people), records=records)
    world.outsiders = {
        Role.CLINIC_STAFF: outsiders["clinic"],
        Role.SUPERVISOR: outsiders["supervisor"],
        Role.NAVIGATOR: outsiders["navigator"],
        Role.PROGRAM_MANAGER: outsiders["manager"],
    }
    # The outsider column of the matrix: a supervisor of the other partnership.
    world.users["outsider"] = outsiders["supervisor"]
    world.kwargs = url_kwargs(home, records)
    world.kwargs |= {
        name: {"code": invitation.code}
        for name in ("partners:invitation-accept", "partners:invitation-decline")
    }
    world.post_data = {
        "referrals:referral-transition": {"version": records["submitted"].version},
        "referrals:referral-message": {"text": "Checking in."},
    }
    return world


def _texts(home, working):
    """The home partnership texts; a received text from an unknown number waits
    for someone to say whose it is."""
    texting_on(home)
    return TextMessage.objects.create(
        partnership=home,
        direction=TextMessage.Direction.IN,
        kind=TextMessage.Kind.REPLY,
        phone="+15415550100",
        body="Who is this?",
        status=TextMessage.Status.RECEIVED,
        provider_id="SM-world",
    )


def url_kwargs(home, records) -> dict:
    """The object each URL name is asked about."""
    working = records["working"]
    patient = {"code": working.patient.code}
    referral_urls = {
        "referral-detail": working,
        "referral-message": working,
        "referral-edit": records["draft"],
        "referral-submit": records["draft"],
        "referral-assign": records["accepted"],
        "referral-share": working,
        "referral-reroute": working,
        "encounter-new": working,
        "pathway-new": working,
        "screening-new": working,
        "screening-elsewhere": records["draft"],
        "text-send": working,
        "text-consent": working,
        "visit-new": working,
    }
    kwargs = {
        f"referrals:{name}": {"code": referral.code}
        for name, referral in referral_urls.items()
    }
    kwargs |= {
        f"partners:{name}": {"code": home.code}
        for name in (
            "partnership-detail",
            "partnership-edit",
            "closed-days",
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

    def code(name):
        return {"code": records[name].code}

    pathway = code("pathway")
    kwargs |= {
        "partners:contract-edit": code("contract"),
        "partners:contract-document": code("contract"),
        "partners:plan-task-edit": code("task"),
        "partners:plan-task-move": code("task"),
        "partners:plan-task-complete": code("task"),
        "partners:training-session-edit": code("session"),
        "partners:required-training-remove": code("required"),
        "partners:statement-detail": code("statement"),
        "partners:statement-csv": code("statement"),
        "referrals:notification-open": code("notification"),
        "referrals:text-match": code("text"),
        "referrals:texting-settings": {"code": home.code},
        "referrals:referral-create": {"patient_code": working.patient.code},
        "referrals:patient-detail": patient,
        "partners:patient-audit": patient,
        "referrals:patient-edit": patient,
        "referrals:resource-detail": code("service"),
        "referrals:resource-edit": code("service"),
        "referrals:resource-print": code("service"),
        "referrals:resource-verify": code("service"),
        "referrals:resource-import-preview": code("hsds_import"),
        "referrals:resource-import-confirm": code("hsds_import"),
        "referrals:pathway-detail": pathway,
        "referrals:screening-detail": code("screening"),
        "referrals:screening-needs": code("screening"),
        "referrals:pathway-step-add": pathway,
        "referrals:pathway-step-toggle": pathway | {"step_id": records["step"].pk},
        "referrals:pathway-resource-link": pathway,
        "referrals:pathway-close": pathway,
        "referrals:pathway-review": pathway,
        "referrals:referral-transition": code("submitted") | {"action": "accept"},
        "evaluation:export-table": {"table": "funnel"},
        "evaluation:report-detail": code("report"),
        "evaluation:report-status": code("report"),
        "evaluation:report-csv": code("report"),
        "evaluation:pam-table-deactivate": code("table"),
        "evaluation:pam-detail": code("pam"),
        "evaluation:patient-pam": patient,
        "evaluation:pam-new": patient,
        "evaluation:story-new": patient,
        "evaluation:story-detail": code("story"),
        "evaluation:story-withdraw": code("story"),
        "evaluation:story-deidentify": code("story"),
        "evaluation:story-code": code("story"),
        "evaluation:theme-edit": code("theme"),
        "evaluation:utilization-edit": code("utilization"),
        "evaluation:utilization-import-preview": code("upload"),
        "evaluation:utilization-import-confirm": code("upload"),
    }
    return kwargs
