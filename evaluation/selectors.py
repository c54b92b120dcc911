"""Program figures, computed in the database for the user's partnerships."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from referrals.models import CASELOAD_STATUSES, OPEN_STATUSES, Referral
from referrals.selectors import referral_list_for_user

Status = Referral.Status


def dashboard_summary_for_user(user) -> dict:
    """Headline counts in one aggregate query."""
    since = timezone.now() - timedelta(days=30)
    return referral_list_for_user(user).aggregate(
        submitted_last_30_days=Count("pk", filter=Q(submitted_at__gte=since)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        waiting_on_cbo=Count(
            "pk", filter=Q(status__in=[Status.SUBMITTED, Status.ACCEPTED])
        ),
        with_navigator=Count("pk", filter=Q(status__in=CASELOAD_STATUSES)),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
        closed_other=Count(
            "pk",
            filter=Q(
                status__in=[
                    Status.UNABLE_TO_COMPLETE,
                    Status.DECLINED,
                    Status.CANCELLED,
                ]
            ),
        ),
    )


def status_counts_for_user(user) -> list[dict]:
    """Referrals per status, in lifecycle order, for the status table."""
    counts = dict(
        referral_list_for_user(user)
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return [
        {"status": label, "total": counts.get(value, 0)}
        for value, label in Status.choices
        if value not in {Status.DRAFT, Status.ENTERED_IN_ERROR}
    ]
