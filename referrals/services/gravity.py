"""chwlink statuses as HL7 Gravity SDOH referral Task statuses.

Finer internal steps travel in Task.businessStatus, as the Gravity IG suggests.
"""

from referrals.models import Referral

Status = Referral.Status

TASK_STATUS = {
    Status.DRAFT: ("draft", ""),
    Status.SUBMITTED: ("requested", ""),
    Status.ACCEPTED: ("accepted", ""),
    Status.ASSIGNED: ("accepted", "assigned"),
    Status.IN_PROGRESS: ("in-progress", ""),
    Status.ON_HOLD: ("on-hold", ""),
    Status.COMPLETED: ("completed", ""),
    Status.UNABLE_TO_COMPLETE: ("failed", ""),
    Status.DECLINED: ("rejected", ""),
    Status.CANCELLED: ("cancelled", ""),
    Status.ENTERED_IN_ERROR: ("entered-in-error", ""),
}


def task_status(status: str) -> tuple[str, str]:
    """(Task.status, Task.businessStatus) for a referral status."""
    return TASK_STATUS[status]
