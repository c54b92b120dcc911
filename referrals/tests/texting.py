"""Helpers of the texting tests: a partnership that texts, a consenting patient."""

import datetime

from referrals.models import PartnershipTexting
from referrals.tests import states
from referrals.texting.backends import MemoryBackend
from referrals.texting.consent import consent_record

SENDING_NUMBER = "+15035550100"


def texting_on(partnership, number=SENDING_NUMBER, **fields) -> PartnershipTexting:
    fields.setdefault("send_from", datetime.time(0, 0))
    fields.setdefault("send_until", datetime.time(23, 59, 59))
    return PartnershipTexting.objects.create(
        partnership=partnership, number=number, **fields
    )


def texting_referral(*, clinic_user, supervisor, navigator, consent=True, **fields):
    """An in-progress referral of a partnership that texts; the patient consents."""
    referral = states.in_progress_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator, **fields
    )
    if not PartnershipTexting.objects.filter(partnership=referral.partnership).exists():
        texting_on(referral.partnership)
    if consent:
        consent_record(actor=navigator, referral=referral, given=True, method="verbal")
    return referral


def sent_texts() -> list[dict]:
    return list(MemoryBackend.outbox)
