"""A CBO that found a patient not eligible is not sent them again for a while."""

import datetime

from django.conf import settings
from django.utils import timezone

from referrals.choices import StatusReason
from referrals.models import Referral


def not_eligible_until(*, patient_id, partnership_ids) -> dict[int, datetime.datetime]:
    """Per partnership id, until when its CBO gets no new referral of the patient:
    ``REFERRAL_NOT_ELIGIBLE_RESEND_DAYS`` after its latest "not eligible" decline
    of them, for declines recent enough to count now (one query)."""
    days = datetime.timedelta(days=settings.REFERRAL_NOT_ELIGIBLE_RESEND_DAYS)
    declines = Referral.objects.filter(
        patient_id=patient_id,
        partnership_id__in=list(partnership_ids),
        status=Referral.Status.DECLINED,
        status_reason_code=StatusReason.NOT_ELIGIBLE,
        closed_at__gt=timezone.now() - days,
    ).values_list("partnership_id", "closed_at")
    until = {}
    for partnership_id, closed_at in declines:
        until[partnership_id] = max(until.get(partnership_id, closed_at), closed_at)
    return {pk: moment + days for pk, moment in until.items()}
