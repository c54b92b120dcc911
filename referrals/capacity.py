"""How much of the partnership's contracted capacity its open referrals use.

A contract in force may cap the referrals the CBO works at once
(``max_active_referrals``); a referral counts from the moment the CBO accepts it
until it is closed. The supervisor sees the figure where they accept and assign.
"""

from dataclasses import dataclass

from referrals.models import OPEN_STATUSES, Referral
from referrals.services.timeliness import service_levels

ACTIVE_STATUSES = OPEN_STATUSES - {Referral.Status.SUBMITTED}


@dataclass(frozen=True)
class Capacity:
    active: int
    limit: int

    @property
    def full(self) -> bool:
        return self.active >= self.limit


def capacity_for(partnership) -> Capacity | None:
    """The partnership's capacity and use, or None when no contract caps it."""
    limit = service_levels(partnership).get("max_active_referrals")
    if limit is None:
        return None
    active = Referral.objects.filter(
        partnership=partnership, status__in=ACTIVE_STATUSES
    ).count()
    return Capacity(active=active, limit=limit)
