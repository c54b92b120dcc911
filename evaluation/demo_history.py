"""Two years of evaluation data for the demo history (``referrals.demo_history``).

PAM baselines at the first reached contact and follow-ups 6 to 12 months later
(scores entered from the licensed scorer, a few raw-only, a few extreme answer
sets, a few out of the window), and a health system's monthly utilization
extract for each history patient, a year each side of enrollment: emergency use
falling and primary care rising after it. Deterministic and written once, in
bulk; the dashboard's rollups are rebuilt for the partnership afterwards.
"""

import datetime
import random
import uuid
from decimal import Decimal

from django.db.models import Min

from evaluation.models import CutSet, PamAdministration, ScoreSource, UtilizationRecord
from evaluation.rollups import rollups_paused
from evaluation.statistics import pam_level, pam_raw
from partners.languages import LANGUAGE_NAMES
from partners.models import User
from referrals.demo_history import (
    HISTORY_MRN,
    demo_partnership,
    history_exists,
    seed_referral_history,
)
from referrals.models import Referral

SEED = 2027
Kind = PamAdministration.Kind


def _answers(rng, score: Decimal, extreme: bool) -> list:
    if extreme:
        return [4] * 13
    middle = 1 + 3 * float(score) / 100
    return [max(1, min(4, round(middle + rng.uniform(-0.7, 0.7)))) for _ in range(13)]


def _pam(rng, referral, *, kind, on, score, extreme=False, raw_only=False):
    answers = _answers(rng, score, extreme)
    language = referral.patient.preferred_language
    scored = {}
    if not raw_only:
        scored = {
            "score": score,
            "score_source": ScoreSource.MANUAL,
            "cut_set": CutSet.CURRENT,
            "level": pam_level(score, CutSet.CURRENT),
        }
    return PamAdministration(
        code=uuid.UUID(int=rng.getrandbits(128), version=4),
        patient=referral.patient, partnership=referral.partnership,
        administered_on=on, administered_by=referral.navigator,
        language=language if language in LANGUAGE_NAMES else "en",
        mode=PamAdministration.Mode.PHONE, kind=kind, answers=answers,
        **pam_raw(answers), **scored,
    )  # fmt: skip


def _pam_rows(rng, referrals, today) -> list:
    rows = []
    for referral in referrals:
        if referral.first_contact_at is None or rng.random() < 0.25:
            continue
        baseline_on = referral.first_contact_at.date()
        score = Decimal(str(round(rng.triangular(35, 80, 52), 1)))
        extreme = rng.random() < 0.03
        raw_only = rng.random() < 0.05
        rows.append(
            _pam(rng, referral, kind=Kind.BASELINE, on=baseline_on, score=score,
                 extreme=extreme, raw_only=raw_only)
        )  # fmt: skip
        follow_on = baseline_on + datetime.timedelta(days=rng.randint(185, 360))
        if rng.random() < 0.08:
            follow_on += datetime.timedelta(days=200)  # outside the window
        if follow_on > today or rng.random() < 0.2:
            continue
        gain = Decimal(str(round(rng.gauss(4.5, 6), 1)))
        follow = min(Decimal("100"), max(Decimal("0"), score + gain))
        rows.append(
            _pam(rng, referral, kind=Kind.FOLLOW_UP, on=follow_on, score=follow,
                 raw_only=raw_only)
        )  # fmt: skip
    return rows


def _month(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _hba1c(rng, offset: int) -> Decimal:
    """A quarterly HbA1c, easing down after enrollment."""
    return Decimal(str(round(rng.uniform(7.6, 9.2) - 0.05 * max(offset, 0), 1)))


def _utilization_rows(rng, firsts, manager, today) -> list:
    """A year each side of each patient's first referral, up to last month."""
    last = _month(today, -1)
    rows = []
    for patient_id, first in firsts:
        enrolled = first.date().replace(day=1)
        risk = rng.uniform(0.2, 1.2)
        for offset in range(-12, 13):
            period = _month(enrolled, offset)
            if period > last:
                break
            after = offset >= 0
            ed = rng.random() < risk * (0.18 if after else 0.3)
            admitted = rng.random() < risk * (0.03 if after else 0.06)
            rows.append(
                UtilizationRecord(
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    patient_id=patient_id, period=period, ed_visits=int(ed),
                    inpatient_admissions=int(admitted),
                    hospital_days=rng.randint(2, 5) if admitted else 0,
                    readmissions_30d=int(admitted and rng.random() < 0.15),
                    primary_care_visits=int(rng.random() < (0.55 if after else 0.3)),
                    hba1c=_hba1c(rng, offset) if offset % 3 == 0 else None,
                    source=UtilizationRecord.Source.IMPORT, updated_by=manager,
                )
            )  # fmt: skip
    return rows


def seed_history(today: datetime.date) -> bool:
    """The demo partnership's two years of referrals (``referrals.demo_history``)
    and their PAM and utilization, written once with the rollup triggers paused
    and the partnership's rollups rebuilt after; False if already there."""
    partnership = demo_partnership()
    if history_exists(partnership):
        return False
    with rollups_paused(partnership_id=partnership.pk):
        seed_referral_history(partnership)
        _seed_evaluation_history(partnership, today)
    return True


def _seed_evaluation_history(partnership, today: datetime.date) -> None:
    history = Referral.objects.filter(
        partnership=partnership, patient__mrn__startswith=HISTORY_MRN
    )
    rng = random.Random(SEED)
    manager = User.objects.get(email="manager@example.org")
    referrals = history.select_related("patient", "partnership").order_by(
        "submitted_at", "pk"
    )
    PamAdministration.objects.bulk_create(_pam_rows(rng, referrals, today))
    firsts = (
        history.values("patient")
        .annotate(first=Min("submitted_at"))
        .order_by("patient")
        .values_list("patient", "first")
    )
    UtilizationRecord.objects.bulk_create(
        _utilization_rows(rng, firsts, manager, today), batch_size=2000
    )
