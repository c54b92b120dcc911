"""Demo patients and referrals in every state, made through the real services.

Timestamps are moved back afterwards so worklists show realistic ages (some overdue).
"""

import datetime

from django.db.models import F
from django.utils import timezone

from partners.models import Partnership, User
from referrals.choices import ContactMode, NeedOutcome, StatusReason, Urgency
from referrals.demo_directory import seed_directory
from referrals.demo_screening import (
    CALM,
    CLOSURE,
    FIRST_CONTACT,
    FOOD_AND_RIDES,
    RIDES,
    demo_screen,
)
from referrals.demo_texts import seed_texts
from referrals.models import Encounter, Patient, Referral, ReferralEvent
from referrals.services import assignment, contacts, intake, pathways, workflow

PATIENTS = [
    # first, last, birth date, MRN, language, interpreter, phone
    ("María", "Hernández", datetime.date(1961, 3, 14), "CH-100231", "es", True),
    ("José", "Ramírez", datetime.date(1975, 8, 2), "CH-100244", "es", False),
    ("Guadalupe", "Torres", datetime.date(1958, 12, 9), "CH-100251", "es", True),
    ("Linh", "Nguyen", datetime.date(1969, 5, 21), "CH-100263", "vi", True),
    ("Rosa", "Delgado", datetime.date(1988, 1, 30), "CH-100270", "es", False),
    ("Carlos", "Mendoza", datetime.date(1952, 7, 11), "CH-100288", "es", True),
    ("Ana", "Castillo", datetime.date(1992, 10, 5), "CH-100295", "es", False),
    ("David", "Miller", datetime.date(1966, 4, 17), "CH-100302", "en", False),
]


def _patient(clinic_user, row, number):
    first, last, born, mrn, language, interpreter = row
    patient = Patient.objects.filter(
        health_system_id=clinic_user.organization_id, mrn=mrn
    ).first()
    if patient:
        return patient
    return intake.patient_create(
        actor=clinic_user,
        data={
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "mrn": mrn,
            "preferred_language": language,
            "interpreter_needed": interpreter,
            "phone": f"503-555-{1200 + number:04d}",
            "voicemail_ok": number % 2 == 0,
            "texts_ok": True,
            "best_time_to_call": "Mañanas / mornings" if language == "es" else "",
            "city": "Portland",
            "state": "OR",
        },
    )


def _referral(clinic_user, patient, needs, reasons, urgency=Urgency.ROUTINE, note=""):
    draft = intake.referral_save_draft(
        actor=clinic_user,
        patient=patient,
        data={
            "clinic": clinic_user.site,
            "medical_reasons": reasons,
            "medical_reason_other": "",
            "social_needs": needs,
            "urgency": urgency,
            "notes_for_navigator": note,
            "consent_given": True,
        },
    )
    return intake.referral_submit(actor=clinic_user, referral=draft)


def _age(referral, days):
    """Move everything that happened to the referral ``days`` back in time."""
    shift = datetime.timedelta(days=days)
    moments = [
        "submitted_at",
        "accepted_at",
        "assigned_at",
        "first_contact_at",
        "last_contact_at",
        "closed_at",
        "consent_recorded_at",
        "status_changed_at",
        "created",
        "updated",
    ]
    Referral.objects.filter(pk=referral.pk).update(
        **{
            name: F(name) - shift
            for name in moments
            if getattr(referral, name, None) is not None
        }
    )
    ReferralEvent.objects.filter(referral=referral).update(created=F("created") - shift)
    Encounter.objects.filter(referral=referral).update(
        occurred_at=F("occurred_at") - shift
    )


def _contact(referral, navigator, reached, mode=ContactMode.PHONE, minutes=10, note=""):
    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=timezone.now(),
        mode=mode,
        reached=reached,
        minutes=minutes,
        note=note,
    )
    referral.refresh_from_db()
    return referral


def _pathway(referral, navigator, *, need, goal, service):
    """Open a pathway with a community resource linked to it."""
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need=need, goal=goal
    )
    pathways.pathway_resource_link(pathway=pathway, actor=navigator, service=service)
    return pathway


def seed_referrals() -> None:
    partnership = Partnership.objects.get(name="Cascade Health + Familias Unidas")
    if partnership.referrals.exists():
        return
    clinic_user = User.objects.get(email="clinic@example.org")
    supervisor = User.objects.get(email="supervisor@example.org")
    nora = User.objects.get(email="navigator@example.org")
    minh = User.objects.get(email="navigator.tran@example.org")
    services = {s.name: s for s in seed_directory(partnership.cbo)}
    people = [_patient(clinic_user, row, number) for number, row in enumerate(PATIENTS)]
    maria, jose, guadalupe, linh, rosa, carlos, ana, david = people

    # Waiting in the inbox: one urgent and overdue, one fresh.
    urgent = _referral(
        clinic_user,
        maria,
        ["food-insecurity", "transportation-insecurity"],
        ["diabetes"],
        urgency=Urgency.URGENT,
        note="Missed two diabetes appointments: no ride. Ran out of food last week.",
    )
    _age(urgent, 3)
    _referral(clinic_user, ana, ["health-insurance-coverage-status"], ["pregnancy"])

    # Accepted, waiting for a navigator.
    accepted = _referral(clinic_user, david, ["utility-insecurity"], ["hypertension"])
    workflow.referral_transition(referral=accepted, actor=supervisor, name="accept")
    _age(accepted, 2)

    # Assigned to Nora, first contact overdue.
    overdue = _referral(
        clinic_user, carlos, ["housing-instability"], ["kidney-disease"]
    )
    assignment.referral_assign(referral=overdue, actor=supervisor, navigator=nora)
    _contact(overdue, nora, reached=False, note="Dejé mensaje de voz.")
    _age(overdue, 6)

    # In progress with Nora: a food pathway with a linked pantry.
    working = _referral(
        clinic_user,
        jose,
        ["food-insecurity", "employment-status"],
        ["diabetes", "cardiovascular"],
    )
    assignment.referral_assign(referral=working, actor=supervisor, navigator=nora)
    _contact(working, nora, reached=False)
    working = _contact(
        working,
        nora,
        reached=True,
        minutes=35,
        note="Habló de su trabajo y de la comida para la familia.",
    )
    demo_screen(
        working,
        nora,
        FOOD_AND_RIDES,
        setting=FIRST_CONTACT,
        confirm=["food-insecurity"],
    )
    food = _pathway(
        working,
        nora,
        need="food-insecurity",
        goal="Family has enough food every week",
        service=services["Community food pantry"],
    )
    pathways.pathway_step_toggle(pathway=food, actor=nora, step=food.steps.first())
    _age(working, 4)

    # In progress with Minh (Vietnamese).
    vietnamese = _referral(
        clinic_user, linh, ["language-access", "medical-cost-burden"], ["cancer"]
    )
    assignment.referral_assign(referral=vietnamese, actor=supervisor, navigator=minh)
    _contact(vietnamese, minh, reached=True, mode=ContactMode.CLINIC_VISIT, minutes=40)
    _age(vietnamese, 5)

    # On hold: waitlisted for housing help.
    held = _referral(clinic_user, rosa, ["housing-instability"], ["pregnancy"])
    assignment.referral_assign(referral=held, actor=supervisor, navigator=nora)
    held = _contact(held, nora, reached=True, mode=ContactMode.HOME_VISIT, minutes=60)
    workflow.referral_transition(
        referral=held,
        actor=nora,
        name="hold",
        reason_code=StatusReason.WAITLISTED,
        reason="Rent assistance waitlist, about 3 weeks",
    )
    _age(held, 10)

    # Completed: transportation pathway approved.
    done = _referral(
        clinic_user, guadalupe, ["transportation-insecurity"], ["kidney-disease"]
    )
    assignment.referral_assign(referral=done, actor=supervisor, navigator=nora)
    done = _contact(done, nora, reached=True, minutes=25)
    demo_screen(done, nora, RIDES, setting=FIRST_CONTACT)
    ride = _pathway(
        done,
        nora,
        need="transportation-insecurity",
        goal="Gets to dialysis three times a week",
        service=services["Medical ride program"],
    )
    pathways.pathway_close(
        pathway=ride, actor=nora, completed=True, note="Rides booked through March"
    )
    pathways.pathway_review(pathway=ride, actor=supervisor, approve=True)
    demo_screen(done, nora, CALM, setting=CLOSURE)
    workflow.referral_transition(
        referral=done,
        actor=nora,
        name="complete",
        outcomes={"transportation-insecurity": NeedOutcome.RESOLVED},
        reason="Viajes a diálisis reservados hasta marzo; sabe a quién llamar.",
    )
    _age(done, 20)

    seed_texts(partnership, working, nora)
    _seed_second_partnership()


def _seed_second_partnership() -> None:
    clinic_user = User.objects.get(email="clinic2@example.org")
    supervisor = User.objects.get(email="supervisor2@example.org")
    navigator = User.objects.get(email="navigator2@example.org")
    patient = intake.patient_create(
        actor=clinic_user,
        data={
            "first_name": "Harold",
            "last_name": "Baker",
            "date_of_birth": datetime.date(1957, 9, 3),
            "mrn": "VM-5521",
            "preferred_language": "en",
            "phone": "541-555-0142",
            "city": "Hood River",
            "state": "OR",
        },
    )
    referral = _referral(clinic_user, patient, ["food-insecurity"], ["diabetes"])
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    second = intake.patient_create(
        actor=clinic_user,
        data={
            "first_name": "Janet",
            "last_name": "Cole",
            "date_of_birth": datetime.date(1970, 2, 26),
            "mrn": "VM-5530",
            "preferred_language": "en",
            "phone": "541-555-0187",
        },
    )
    _referral(clinic_user, second, ["transportation-insecurity"], ["diabetes"])
