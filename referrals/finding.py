"""Finding any referral: *All referrals* for supervisors (every referral of their
CBO) and program managers (every referral of their organization's partnerships,
read-only), in any status once sent, filtered, searched, sorted and paged.

"Overdue" is the one definition of the inbox and the caseloads (the README's
service levels, each referral under its own partnership's contract, time zone and
business days): not accepted or not assigned in time, no contact attempt within
the first-contact level since the navigator got it, or in progress without
activity for too long. The filter and the row's badge read the same conditions.
"""

import collections.abc
import datetime
import functools
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from partners.models import Partnership, Site, User
from referrals import patient_search
from referrals.models import CASELOAD_STATUSES, CLOSED_STATUSES, OPEN_STATUSES, Referral
from referrals.selectors import (
    overdue_in_caseload,
    overdue_in_inbox,
    referral_list_for_user,
)
from referrals.services.timeliness import overdue_cutoffs_by_partnership

Status = Referral.Status
ONE_DAY = datetime.timedelta(days=1)

# Status groups offered beside the single statuses.
STATUS_GROUPS = {
    "open": OPEN_STATUSES,
    "caseload": CASELOAD_STATUSES,
    "closed": CLOSED_STATUSES,
}


class OverdueStep:
    """Which service level an overdue referral missed (the row's badge)."""

    ACCEPT = "accept"
    ASSIGN = "assign"
    FIRST_CONTACT = "first_contact"
    INACTIVE = "inactive"
    LABELS = {
        ACCEPT: _("Acceptance overdue"),
        ASSIGN: _("Assignment overdue"),
        FIRST_CONTACT: _("First contact overdue"),
        INACTIVE: _("No recent activity"),
    }


# Each sort: its label and the order; every order ends on the key, so pages never
# overlap.
SORTS = {
    "updated": (_("Last update, newest first"), ("-updated", "-pk")),
    "sent_newest": (_("Sent, newest first"), ("-submitted_at", "-pk")),
    "sent_oldest": (_("Sent, oldest first"), ("submitted_at", "pk")),
    "patient": (
        _("Patient's last name"),
        ("patient__last_name", "patient__first_name", "pk"),
    ),
    # Overdue first, then sent oldest first: ``OverdueFirst``.
    "overdue": (_("Overdue first"), ("submitted_at", "pk")),
}
DEFAULT_SORT = "updated"


@dataclass(frozen=True)
class FindingScope:
    """The partnerships of the user's organization, their overdue moments, and the
    organizations on their other side (whose clinics and navigators the filters
    offer)."""

    partnerships: list
    cutoffs: dict

    @property
    def accepted(self) -> list:
        unaccepted = Partnership.UNACCEPTED_STATUSES
        return [p for p in self.partnerships if p.status not in unaccepted]

    @property
    def health_system_ids(self) -> list[int]:
        return sorted({p.health_system_id for p in self.accepted})

    @property
    def cbo_ids(self) -> list[int]:
        return sorted({p.cbo_id for p in self.accepted})

    def clinics(self) -> QuerySet[Site]:
        return Site.objects.filter(organization_id__in=self.health_system_ids).order_by(
            "name", "pk"
        )

    def navigators(self) -> QuerySet[User]:
        """Every navigator of the CBOs, the departed too (their closed referrals
        stay findable)."""
        return User.objects.filter(
            organization_id__in=self.cbo_ids, role=User.Role.NAVIGATOR
        ).order_by("-is_active", "first_name", "last_name", "pk")


def finding_scope(user) -> FindingScope:
    """Two queries: the partnerships and their contracts' service levels."""
    partnerships = list(Partnership.objects.of_organization(user.organization_id))
    return FindingScope(partnerships, overdue_cutoffs_by_partnership(partnerships))


def overdue_anywhere(cutoffs) -> Q:
    """Overdue in the inbox (acceptance, assignment) or in a caseload (first
    contact, inactivity)."""
    return overdue_in_inbox(cutoffs) | overdue_in_caseload(cutoffs)


def overdue_step(cutoffs) -> Case:
    """The service level the referral missed, or "" when it is on time: each
    overdue condition holds in one status only, which names the step."""
    inbox = overdue_in_inbox(cutoffs)
    caseload = overdue_in_caseload(cutoffs)
    return Case(
        When(Q(status=Status.SUBMITTED) & inbox, then=Value(OverdueStep.ACCEPT)),
        When(Q(status=Status.ACCEPTED) & inbox, then=Value(OverdueStep.ASSIGN)),
        When(
            Q(status=Status.ASSIGNED) & caseload,
            then=Value(OverdueStep.FIRST_CONTACT),
        ),
        When(Q(status=Status.IN_PROGRESS) & caseload, then=Value(OverdueStep.INACTIVE)),
        default=Value(""),
        output_field=CharField(),
    )


def _day_start(day: datetime.date, partnership) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(partnership.time_zone or settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def sent_between(partnerships, start=None, end=None) -> Q:
    """Sent on or after the day ``start`` and on or before the day ``end``, days
    as each referral's partnership counts them (midnight where it works)."""
    condition = Q(pk__in=[])
    for partnership in partnerships:
        part = Q(partnership_id=partnership.pk)
        if start:
            part &= Q(submitted_at__gte=_day_start(start, partnership))
        if end:
            part &= Q(submitted_at__lt=_day_start(end + ONE_DAY, partnership))
        condition |= part
    return condition


def statuses_for(choice: str):
    """The statuses a status filter's value stands for (a group or one status)."""
    if not choice:
        return None
    return STATUS_GROUPS.get(choice, {choice})


def _filtered(referrals, filters: dict, scope: FindingScope):
    statuses = statuses_for(filters.get("status") or "")
    if statuses:
        referrals = referrals.filter(status__in=statuses)
    if filters.get("navigator"):
        referrals = referrals.filter(navigator=filters["navigator"])
    if filters.get("clinic"):
        referrals = referrals.filter(clinic=filters["clinic"])
    if filters.get("need"):
        referrals = referrals.filter(social_needs__contains=[filters["need"]])
    if filters.get("language"):
        referrals = referrals.filter(patient__preferred_language=filters["language"])
    if filters.get("urgency"):
        referrals = referrals.filter(urgency=filters["urgency"])
    if filters.get("sent_from") or filters.get("sent_to"):
        referrals = referrals.filter(
            sent_between(
                scope.partnerships, filters.get("sent_from"), filters.get("sent_to")
            )
        )
    if filters.get("overdue"):
        referrals = referrals.filter(overdue_anywhere(scope.cutoffs))
    if (filters.get("q") or "").strip():
        referrals = referrals.filter(
            patient_search.referral_search(
                filters["q"], health_system_ids=scope.health_system_ids
            )
        )
    return referrals


class OverdueFirst(collections.abc.Sequence):
    """The overdue referrals, sent oldest first, then the others in the same
    order: a page reads a stretch of each from the index on the sending moment,
    where one order on "is it overdue" sorted every referral of a statewide CBO
    (0.4 s). The paginator counts through ``order_by``, as it would a query."""

    def __init__(self, referrals: QuerySet[Referral], overdue: Q):
        order = ("submitted_at", "pk")
        self.referrals = referrals
        self.overdue = referrals.filter(overdue).order_by(*order)
        self.others = referrals.exclude(overdue).order_by(*order)

    def order_by(self, *fields) -> QuerySet[Referral]:
        return self.referrals.order_by(*fields)

    @functools.cached_property
    def _overdue_count(self) -> int:
        return self.overdue.count()

    def __len__(self):
        return self.referrals.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = len(self) if index.stop is None else index.stop
        overdue = self._overdue_count
        rows = []
        if start < overdue:
            rows += self.overdue[start : min(stop, overdue)]
        if stop > overdue:
            rows += self.others[max(start - overdue, 0) : stop - overdue]
        return rows


def all_referrals_for_user(*, user, filters: dict, scope: FindingScope):
    """The referrals the user may see once sent, filtered and sorted as asked
    (last change first by default), as a query or, overdue first, as
    ``OverdueFirst``. Each row carries ``overdue_step``."""
    # Sent: past the draft, so with a sending moment (saying so lets the lists
    # sent newest first start past the drafts in the index of sending moments).
    referrals = referral_list_for_user(user).exclude(status=Status.DRAFT)
    referrals = referrals.filter(submitted_at__isnull=False)
    referrals = _filtered(referrals, filters, scope).annotate(
        overdue_step=overdue_step(scope.cutoffs)
    )
    sort = filters.get("sort") or DEFAULT_SORT
    if sort == "overdue" and not filters.get("overdue"):
        return OverdueFirst(referrals, overdue_anywhere(scope.cutoffs))
    _label, order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return referrals.order_by(*order)
