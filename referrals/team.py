"""The team board: each navigator's active caseload, what is overdue in it, the
languages they speak and when they last logged a contact, beside each
partnership's contracted capacity (``max_active_referrals``).

Supervisors read their CBO's navigators; program managers, read-only, the
navigators of the CBOs in their organization's partnerships. Every figure counts
only referrals the reader may see (a health system's manager never learns what a
shared CBO does for another health system), and is summed in the database: a
fixed number of queries whatever the size of the team, and 25 navigators a page.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery

from chwlink.lib.pagination import page_of
from partners.languages import LANGUAGE_NAMES
from partners.models import User
from referrals.capacity import ACTIVE_STATUSES
from referrals.finding import FindingScope
from referrals.models import CASELOAD_STATUSES, Encounter, Referral
from referrals.selectors import overdue_in_caseload, referral_list_for_user
from referrals.services.timeliness import service_levels_by_partnership

Status = Referral.Status
PAGE_SIZE = 25


@dataclass(frozen=True)
class NavigatorLoad:
    navigator: User
    active: int
    overdue: int
    first_contact_overdue: int
    on_hold: int
    last_contact_at: object

    @property
    def languages(self) -> list[str]:
        return [LANGUAGE_NAMES.get(code, code) for code in self.navigator.languages]


@dataclass(frozen=True)
class PartnershipCapacity:
    partnership: object
    active: int
    waiting: int  # accepted, no navigator yet
    limit: int | None

    @property
    def full(self) -> bool:
        return self.limit is not None and self.active >= self.limit

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0
        return min(100, round(100 * self.active / self.limit))


def _loads(referrals, cutoffs) -> dict[int, dict]:
    overdue = overdue_in_caseload(cutoffs)
    first_contact = overdue & Q(status=Status.ASSIGNED)
    rows = (
        referrals.filter(status__in=CASELOAD_STATUSES)
        .order_by()
        .values("navigator_id")
        .annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=overdue),
            first_contact_overdue=Count("pk", filter=first_contact),
            on_hold=Count("pk", filter=Q(status=Status.ON_HOLD)),
        )
    )
    return {row["navigator_id"]: row for row in rows}


def _navigators(user, scope: FindingScope):
    """Active navigators of the CBOs, each with their latest contact attempt on a
    referral the reader may see (read backwards on the contacts' index)."""
    partnership_ids = [p.pk for p in scope.accepted]
    latest = (
        Encounter.objects.filter(
            navigator_id=OuterRef("pk"), referral__partnership_id__in=partnership_ids
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        User.objects.filter(
            organization_id__in=scope.cbo_ids,
            role=User.Role.NAVIGATOR,
            is_active=True,
        )
        .annotate(last_contact_at=Subquery(latest))
        .order_by("first_name", "last_name", "pk")
    )


def team_board_for_user(*, user, scope: FindingScope, page=None) -> dict:
    """The navigators' loads, a page of them at a time (``page``: its number), the
    totals over the whole team, and the capacity of each partnership."""
    referrals = referral_list_for_user(user)
    loads = _loads(referrals, scope.cutoffs)
    empty = {"active": 0, "overdue": 0, "first_contact_overdue": 0, "on_hold": 0}
    everyone = _navigators(user, scope)
    # A statewide CBO has hundreds of navigators: each one's latest contact is
    # looked up for the page shown only.
    page_obj = page_of(everyone, PAGE_SIZE, page)
    navigators = [
        NavigatorLoad(
            navigator=navigator,
            last_contact_at=navigator.last_contact_at,
            **{key: loads.get(navigator.pk, empty)[key] for key in empty},
        )
        for navigator in page_obj
    ]
    team = [loads[pk] for pk in everyone.values_list("pk", flat=True) if pk in loads]
    capacity = capacity_by_partnership(referrals, scope)
    return {
        "navigators": navigators,
        "page_obj": page_obj,
        "capacity": capacity,
        "waiting_for_navigator": sum(row.waiting for row in capacity),
        "active": sum(load["active"] for load in team),
        "overdue": sum(load["overdue"] for load in team),
    }


def capacity_by_partnership(referrals, scope: FindingScope) -> list:
    """Each accepted partnership's active referrals (accepted until closed, as
    ``referrals.capacity`` counts them) against its contract's cap."""
    partnerships = scope.accepted
    levels = service_levels_by_partnership(partnerships)
    counts = {
        row["partnership_id"]: row
        for row in referrals.filter(status__in=ACTIVE_STATUSES)
        .order_by()
        .values("partnership_id")
        .annotate(
            total=Count("pk"), waiting=Count("pk", filter=Q(status=Status.ACCEPTED))
        )
    }
    none = {"total": 0, "waiting": 0}
    return [
        PartnershipCapacity(
            partnership=partnership,
            active=counts.get(partnership.pk, none)["total"],
            waiting=counts.get(partnership.pk, none)["waiting"],
            limit=levels[partnership.pk].get("max_active_referrals"),
        )
        for partnership in partnerships
    ]
