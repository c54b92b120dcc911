"""Demo evaluation data for the Cascade partnership, made through the services.

PAM baselines and follow-ups (raw answers only, and scores entered from the
licensed scorer: no conversion table is shipped), stories with each consent
scope (one withdrawn), coded themes, and utilization months around enrollment.
Running it twice changes nothing.
"""

import datetime
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from evaluation.models import CutSet, PamAdministration
from evaluation.services import pam, stories, utilization
from partners.models import Partnership, User
from referrals.demo_history import HISTORY_MRN
from referrals.models import Patient, Referral

# answers, baseline manual score (None = raw only), follow-up answers and score
PAM_PLAN = [
    ([2, 2, 3, 2, 2, 1, 2, 3, 2, 2, 2, 2, 1], Decimal("45.2"),
     [3, 3, 3, 2, 3, 2, 3, 3, 3, 2, 3, 3, 2], Decimal("53.0")),
    ([3, 3, 3, 2, 3, 3, 2, 3, 2, 3, 3, 2, 2], Decimal("53.9"),
     [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2], Decimal("56.4")),
    ([3, 4, 3, 3, 3, 3, 3, 3, None, 3, 3, 3, 3], Decimal("60.9"),
     [4, 4, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3], Decimal("66.0")),
    ([2, 3, 2, 2, 3, 2, 2, 2, 2, 1, 2, 2, 1], None,
     [3, 3, 2, 3, 3, 2, 3, 2, 2, 2, 3, 2, 2], None),
    ([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], None, None, None),
    ([2, 3, 3, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2], Decimal("48.6"), None, None),
]  # fmt: skip

STORIES = [
    ("Comida para mis hijos", "food", "public", False,
     "Antes no sabía dónde conseguir comida. Ahora voy a la despensa cada semana "
     "y Nora me ayudó con las estampillas. Mis hijos comen mejor.",
     "Before, I did not know where to get food. Now I go to the pantry every week "
     "and my navigator helped me apply for food benefits. My children eat better."),
    ("Llegar a mis citas", "access", "funder", False,
     "Perdía mis citas de diabetes porque no tenía cómo llegar. Con el transporte "
     "ya no falto y mi azúcar está más controlada.",
     "I missed my diabetes appointments because I had no way to get there. With "
     "the rides I no longer miss them and my sugar is better controlled."),
    ("A roof again", "housing", "internal", False,
     "After the eviction notice I thought we would be on the street. The rent "
     "assistance came through and my kids stayed in their school.",
     "After the eviction notice I thought we would be on the street. The rent "
     "assistance came through and my children stayed in their school."),
    ("Confianza", "confidence", "public", True,
     "Ahora puedo hablar con mi doctor sin miedo.",
     "Now I can talk to my doctor without fear."),
]  # fmt: skip

THEMES = [
    ("Food security", "Having enough food; using pantries and benefits."),
    ("Getting to care", "Transportation and keeping appointments."),
    ("Housing stability", "Staying housed; avoiding eviction."),
    ("Self-efficacy", "Confidence to manage health and speak up."),
]
CODES = {0: ("Food security", "my navigator helped me apply for food benefits"),
         1: ("Getting to care", "With the rides I no longer miss them"),
         2: ("Housing stability", "The rent assistance came through")}  # fmt: skip


def _months_back(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _worked_referrals(partnership):
    """The story referrals of ``referrals.demo``, not the bulk history."""
    return (
        Referral.objects.filter(partnership=partnership, navigator__isnull=False)
        .exclude(patient__mrn__startswith=HISTORY_MRN)
        .select_related("patient", "navigator")
        .order_by("submitted_at", "pk")
    )


def _seed_pam(referrals, today):
    Kind = PamAdministration.Kind
    for referral, plan in zip(referrals, PAM_PLAN, strict=False):
        answers, score, follow_answers, follow_score = plan
        common = {
            "actor": referral.navigator,
            "patient": referral.patient,
            "language": referral.patient.preferred_language,
            "mode": PamAdministration.Mode.PHONE,
        }
        pam.pam_record(
            **common, administered_on=today - datetime.timedelta(days=230),
            kind=Kind.BASELINE, answers=answers, manual_score=score,
            manual_cut_set=CutSet.CURRENT if score else "",
        )  # fmt: skip
        if follow_answers:
            pam.pam_record(
                **common, administered_on=today - datetime.timedelta(days=20),
                kind=Kind.FOLLOW_UP, answers=follow_answers, manual_score=follow_score,
                manual_cut_set=CutSet.CURRENT if follow_score else "",
            )  # fmt: skip


def _seed_stories(referrals, manager, today):
    themes = {
        name: stories.theme_save(actor=manager, name=name, description=description)
        for name, description in THEMES
    }
    for number, (referral, plan) in enumerate(zip(referrals, STORIES, strict=False)):
        title, domain, scope, withdrawn, text, deidentified = plan
        story = stories.story_record(
            actor=referral.navigator, patient=referral.patient, referral=referral,
            told_on=today - datetime.timedelta(days=10 + number), language="es"
            if referral.patient.preferred_language == "es" else "en",
            domain=domain, title=title, text=text, consent_scope=scope,
            consent_expires_on=today + datetime.timedelta(days=730),
            storyteller_approved=True,
        )  # fmt: skip
        stories.story_deidentify(
            actor=referral.navigator, story=story, deidentified_text=deidentified
        )
        if number in CODES:
            theme, excerpt = CODES[number]
            stories.story_code(
                actor=manager, story=story, theme=themes[theme], excerpt=excerpt
            )
        if withdrawn:
            stories.story_withdraw(actor=referral.navigator, story=story)


def _utilization_month(number: int, offset: int) -> dict:
    """Busier emergency use before enrollment, more primary care after."""
    admitted = offset == -2 and number % 2 == 1
    return {
        "ed_visits": (number + offset) % 3 if offset < 0 else 0,
        "inpatient_admissions": int(admitted),
        "hospital_days": 3 if admitted else 0,
        "readmissions_30d": 0,
        "primary_care_visits": 1 if offset >= 0 else 0,
        "hba1c": Decimal("8.4") - Decimal(offset + 6) / 10,
    }


def _seed_utilization(partnership, manager):
    """Six months before each patient's enrollment month and the month itself."""
    enrolled = (
        Referral.objects.filter(partnership=partnership, submitted_at__isnull=False)
        .exclude(patient__mrn__startswith=HISTORY_MRN)
        .values("patient")
        .annotate(first=Min("submitted_at"))
        .order_by("patient")
    )
    patients = Patient.objects.in_bulk([row["patient"] for row in enrolled])
    for number, row in enumerate(enrolled):
        month = timezone.localtime(row["first"]).date().replace(day=1)
        for offset in range(-6, 1):
            utilization.utilization_save(
                actor=manager,
                patient=patients[row["patient"]],
                values={
                    "period": _months_back(month, -offset),
                    **_utilization_month(number, offset),
                },
            )


def seed_evaluation() -> None:
    partnership = Partnership.objects.get(name="Cascade Health + Familias Unidas")
    stories_patients = PamAdministration.objects.filter(partnership=partnership)
    if stories_patients.exclude(patient__mrn__startswith=HISTORY_MRN).exists():
        return
    manager = User.objects.get(email="manager@example.org")
    today = timezone.localdate()
    referrals = list(_worked_referrals(partnership))
    by_patient = list({r.patient_id: r for r in referrals}.values())
    _seed_pam(by_patient, today)
    _seed_stories(by_patient, manager, today)
    _seed_utilization(partnership, manager)
