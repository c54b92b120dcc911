"""A referral's status as the Gravity IG's TaskForReferralManagement carries it.

The IG's Task state diagram: ``rejected`` only from ``requested`` (so a CBO that
declines after accepting has ``cancelled`` the Task); ``businessStatus`` only on
Tasks chwlink hosts (it carries finer steps such as "navigator assigned"); every
reason travels as ``statusReason.text``.
"""

from dataclasses import dataclass

from django.db.models import Q

from referrals.models import Referral

Status = Referral.Status

TASK_STATUS = {
    Status.DRAFT: "draft",
    Status.SUBMITTED: "requested",
    Status.ACCEPTED: "accepted",
    Status.ASSIGNED: "accepted",
    Status.IN_PROGRESS: "in-progress",
    Status.ON_HOLD: "on-hold",
    Status.COMPLETED: "completed",
    Status.UNABLE_TO_COMPLETE: "failed",
    Status.DECLINED: "rejected",
    Status.CANCELLED: "cancelled",
    Status.ENTERED_IN_ERROR: "entered-in-error",
}

# The finer step a hosted Task names, in words an EHR user reads.
BUSINESS_STATUS = {
    Status.SUBMITTED: "Received by the CBO",
    Status.ACCEPTED: "Accepted, waiting for a navigator",
    Status.ASSIGNED: "Navigator assigned",
    Status.IN_PROGRESS: "Navigator working with the patient",
    Status.ON_HOLD: "On hold",
}

REOPENED = "Reopened by the CBO"

# The statuses whose Task carries a reason (the IG requires one for these).
WITH_REASON = frozenset(
    {"rejected", "cancelled", "on-hold", "failed", "entered-in-error"}
)

# Tasks that no longer change (FHIR's terminal statuses).
FINAL = frozenset({"completed", "failed", "rejected", "cancelled", "entered-in-error"})


# Referrals whose Task is completed: closing as needs addressed, or reopened
# after that (the Task stays completed, with its Procedures).
COMPLETED_TASK = Q(status=Status.COMPLETED) | Q(task_closed_as="completed")


@dataclass(frozen=True)
class TaskState:
    status: str
    business_status: str
    reason: str


def task_state(referral, *, hosted: bool = True) -> TaskState:
    """The Task status, business status (hosted Tasks only) and reason text."""
    status = TASK_STATUS[referral.status]
    if referral.status == Status.DECLINED and referral.accepted_at is not None:
        status = "cancelled"
    business = BUSINESS_STATUS.get(referral.status, "") if hosted else ""
    if referral.task_closed_as:
        # Reopened after it closed: the Task stays final; a hosted one says why.
        status = referral.task_closed_as
        business = f"{REOPENED}: {business}" if hosted and business else ""
    reason = ""
    if status in WITH_REASON:
        label = (
            referral.get_status_reason_code_display()
            if referral.status_reason_code
            else ""
        )
        reason = ": ".join(filter(None, [str(label), referral.status_reason]))
    return TaskState(status=status, business_status=business, reason=reason)
