"""Evaluation records for tests: referrals reach the caseload through the services;
PAM rows for analysis tests are built directly (their recording is tested through
``pam_record``)."""

import datetime
from decimal import Decimal

from evaluation.models import PamAdministration
from evaluation.statistics import pam_level, pam_raw
from referrals.services import assignment, workflow
from referrals.tests.factories import ReferralFactory


def caseload_referral(*, partnership, supervisor, navigator, **fields):
    """A referral accepted by the supervisor and assigned to the navigator."""
    referral = ReferralFactory(partnership=partnership, **fields)
    referral = workflow.referral_transition(
        referral=referral, actor=supervisor, name="accept"
    )
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


def pam_row(
    *,
    patient,
    partnership,
    by,
    on,
    kind="baseline",
    score=None,
    answers=None,
    cut_set="current",
):
    answers = answers or [3, 2, 3, 4, 3, 2, 3, 3, 2, 3, 4, 3, 2]
    scored = {}
    if score is not None:
        score = Decimal(str(score))
        scored = {
            "score": score,
            "score_source": "manual",
            "cut_set": cut_set,
            "level": pam_level(score, cut_set),
        }
    return PamAdministration.objects.create(
        patient=patient, partnership=partnership, administered_on=on,
        administered_by=by, language="es", mode="phone", kind=kind,
        answers=answers, **pam_raw(answers), **scored,
    )  # fmt: skip


def months_after(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)
