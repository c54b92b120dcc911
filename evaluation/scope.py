"""Which referrals a dashboard counts: the program manager's partnerships, the
filters, and where to read them (monthly counts or facts, ``evaluation.models``).

Dates and months are each referral's own partnership's: "sent from 1 March" means
from midnight of 1 March where the referral's partnership works, and a referral
falls in the month of its sending there, so one dashboard can hold partnerships
in different time zones. Monthly counts (``ReferralMonth``) answer whole months
filtered by clinic and by language or need; days at the edges of a date range, a
navigator, or a language and a need together are read from the facts.
"""

import calendar
import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet

from evaluation.access import manages_program
from evaluation.enrollment_sums import DECIMAL, NAMES, SUMS
from evaluation.models import Enrollment, EnrollmentMonth, ReferralFact, ReferralMonth
from partners.models import Partnership


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def is_last_day_of_month(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


NOTHING = "SELECT {columns} FROM {table} WHERE false"


def compiled(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL and parameters of a queryset of some columns, to read from in
    hand-written SQL; a query that can match nothing still has its columns."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        meta, quote = queryset.model._meta, connection.ops.quote_name
        fields = [
            meta.pk if name == "pk" else meta.get_field(name)
            for name in queryset.query.values_select or ("pk",)
        ]
        columns = [quote(field.column) for field in fields]
        # Annotations are counts and flags.
        columns += [f"0 AS {quote(name)}" for name in queryset.query.annotation_select]
        return NOTHING.format(
            columns=", ".join(columns), table=quote(meta.db_table)
        ), ()


@dataclass(frozen=True)
class Days:
    """Days of sending, both ends included; None is open-ended."""

    first: datetime.date | None
    last: datetime.date | None


def split_by_month(days: Days) -> tuple[Days | None, list[Days]]:
    """Whole months inside ``days`` (as the first days of the first and last month)
    and the days left over at either end, each within one month."""
    first, last, edges = days.first, days.last, []
    if first and last and (first.year, first.month) == (last.year, last.month):
        if first.day == 1 and is_last_day_of_month(last):
            return Days(first, first), []
        return None, [days]
    if first and first.day != 1:
        next_month = first_of_next_month(first)
        edges.append(Days(first, next_month - datetime.timedelta(days=1)))
        first = next_month
    if last and not is_last_day_of_month(last):
        edges.append(Days(last.replace(day=1), last))
        last = (last.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    elif last:
        last = last.replace(day=1)
    if first and last and first > last:
        return None, edges
    return Days(first, last), edges


@dataclass
class DashboardScope:
    """The filtered referrals of a program manager's partnerships."""

    partnerships: list[Partnership]
    filters: dict

    @property
    def partnership_ids(self) -> list[int]:
        return [p.pk for p in self.partnerships]

    @property
    def days(self) -> Days:
        return Days(self.filters.get("start"), self.filters.get("end"))

    def sent_in(self, days: Days, field: str = "submitted_at") -> Q:
        """Sent on these days, in each referral's partnership's time zone (the
        moment of sending in ``field``)."""
        if days.first is None and days.last is None:
            return Q()
        zones = defaultdict(list)
        for partnership in self.partnerships:
            zones[partnership.time_zone].append(partnership.pk)
        condition = Q(pk__in=[])
        for zone_name, ids in sorted(zones.items()):
            zone = zoneinfo.ZoneInfo(zone_name)
            # Partnerships of one time zone need no condition of their own (the
            # queries read only the user's partnerships): a repeated one would
            # mislead the planner's row estimates.
            sent = Q(partnership_id__in=ids) if len(zones) > 1 else Q()
            if days.first:
                start = datetime.datetime.combine(days.first, datetime.time(), zone)
                sent &= Q(**{f"{field}__gte": start})
            if days.last:
                end = datetime.datetime.combine(
                    days.last + datetime.timedelta(days=1), datetime.time(), zone
                )
                sent &= Q(**{f"{field}__lt": end})
            condition |= sent
        return condition

    def facts(
        self, days: Days | None = None, partnership_ids: list[int] | None = None
    ) -> QuerySet[ReferralFact]:
        """Facts of the referrals matching every filter, sent on ``days`` (the
        filters' date range unless given), of some of the partnerships."""
        facts = ReferralFact.objects.filter(
            partnership_id__in=self.partnership_ids
            if partnership_ids is None
            else partnership_ids
        )
        facts = facts.filter(self.sent_in(self.days if days is None else days))
        if self.filters.get("clinic"):
            facts = facts.filter(clinic_id=self.filters["clinic"].pk)
        if self.filters.get("navigator"):
            facts = facts.filter(navigator_id=self.filters["navigator"].pk)
        if self.filters.get("language"):
            facts = facts.filter(language=self.filters["language"])
        if self.filters.get("need"):
            facts = facts.filter(social_needs__contains=[self.filters["need"]])
        return facts

    @property
    def by_month(self) -> bool:
        """Whether the monthly counts can answer these filters."""
        return not self.filters.get("navigator") and not (
            self.filters.get("language") and self.filters.get("need")
        )

    def months(self, months: Days) -> QuerySet[ReferralMonth]:
        """Monthly counts of the whole months ``months`` under the other filters."""
        rows = ReferralMonth.objects.filter(partnership_id__in=self.partnership_ids)
        if self.filters.get("need"):
            rows = rows.filter(language="", need=self.filters["need"])
        else:
            rows = rows.filter(need="")
            if self.filters.get("language"):
                rows = rows.filter(language=self.filters["language"])
        if months.first:
            rows = rows.filter(month__gte=months.first)
        if months.last:
            rows = rows.filter(month__lte=months.last)
        if self.filters.get("clinic"):
            rows = rows.filter(clinic_id=self.filters["clinic"].pk)
        return rows

    @cached_property
    def unfiltered(self) -> bool:
        return not any(
            self.filters.get(name)
            for name in ("start", "end", "clinic", "navigator", "language", "need")
        )

    def _by_enrollment(self) -> tuple[str, Days] | None:
        """Whether enrollments alone tell the cohort, and by which referral:
        patients with a referral sent since a day are those whose latest one
        was, until a day those whose first one was (a range needs the referrals,
        as do the other filters). Returns the side and the days."""
        others = ("clinic", "navigator", "language", "need")
        start, end = self.filters.get("start"), self.filters.get("end")
        if any(self.filters.get(name) for name in others) or (start and end):
            return None
        if start:
            return EnrollmentMonth.Side.LAST, Days(start, None)
        return EnrollmentMonth.Side.FIRST, Days(None, end)

    def _enrolled(self, days: Days, side: str) -> Q:
        field = (
            "last_submitted_at"
            if side == EnrollmentMonth.Side.LAST
            else ("first_submitted_at")
        )
        return self.sent_in(days, field=field)

    def patient_ids(self) -> QuerySet:
        """The cohort: the patients of the filtered referrals, as one column."""
        by_enrollment = self._by_enrollment()
        if by_enrollment is None:
            return self.facts().values("patient_id")
        side, days = by_enrollment
        return Enrollment.objects.filter(
            self._enrolled(days, side), partnership_id__in=self.partnership_ids
        ).values("patient_id")

    def _earliest(self, enrollments: QuerySet) -> tuple[str, tuple]:
        """SQL of these enrollments, one per patient: of a patient enrolled in two
        of the partnerships (two CBOs of one health system), the earliest."""
        sql, params = compiled(enrollments.values(*ENROLLMENT_COLUMNS))
        if len(self.partnerships) < 2:
            return sql, params
        return EARLIEST.format(enrollments=sql), params

    @cached_property
    def enrollment_sums(self) -> dict[tuple[int, int], dict]:
        """What the cohort's enrollments (one per patient) add to the PAM and
        utilization panels (``evaluation.enrollment_sums``), by baseline and
        follow-up level (0: none): from ``EnrollmentMonth`` for whole months of
        first or latest referrals, the rest summed from the enrollments."""
        mine = Enrollment.objects.filter(partnership_id__in=self.partnership_ids)
        by_enrollment = self._by_enrollment()
        parts = []
        if by_enrollment is None:
            cohort = mine.filter(patient_id__in=self.patient_ids())
            alone = cohort.filter(shared=False).values(*ENROLLMENT_COLUMNS)
            parts.append(_summed(compiled(alone)))
            parts.append(_summed(self._earliest(cohort.filter(shared=True))))
        else:
            side, days = by_enrollment
            months, edges = split_by_month(days)
            if months:
                rows = EnrollmentMonth.objects.filter(
                    partnership_id__in=self.partnership_ids, side=side
                )
                if months.first:
                    rows = rows.filter(month__gte=months.first)
                if months.last:
                    rows = rows.filter(month__lte=months.last)
                parts.append(compiled(rows.values("pam_level", "pam_fu_level", *NAMES)))
            for edge in edges:
                parts.append(
                    _summed(
                        compiled(
                            mine.filter(
                                self._enrolled(edge, side), shared=False
                            ).values(*ENROLLMENT_COLUMNS)
                        )
                    )
                )
            cohort = mine.filter(shared=True)
            if days.first or days.last:
                cohort = cohort.filter(patient_id__in=self.patient_ids())
            parts.append(_summed(self._earliest(cohort)))
        query = BY_LEVELS.format(
            parts=" UNION ALL ".join(sql for sql, _params in parts),
            sums=", ".join(f"sum({name}) AS {name}" for name in NAMES),
        )
        with connection.cursor() as cursor:
            cursor.execute(query, [value for _sql, params in parts for value in params])
            names = [c.name for c in cursor.description]
            return {
                (row[0], row[1]): dict(zip(names[2:], row[2:], strict=True))
                for row in cursor.fetchall()
            }


def _summed(enrollments: tuple[str, tuple]) -> tuple[str, tuple]:
    """SQL of what each of these enrollments adds, with its levels."""
    sql, params = enrollments
    return ADDED.format(enrollments=sql, sums=SUMMED), params


ENROLLMENT_COLUMNS = [field.attname for field in Enrollment._meta.concrete_fields]
# Only SQL compiled by the ORM goes into these texts; values are parameters.
EARLIEST = """
    SELECT DISTINCT ON (e.patient_id) e.* FROM ({enrollments}) e
    ORDER BY e.patient_id, e.first_submitted_at, e.partnership_id
"""
# Summed by levels where the enrollments are read, so the rows carry no more
# than their levels to the sums; in EnrollmentMonth's types.
SUMMED = ", ".join(
    f"sum({sql}){'' if name in DECIMAL else '::int'} AS {name}" for name, sql in SUMS
)
ADDED = """
    SELECT coalesce(pam_level, 0) AS pam_level,
           coalesce(pam_fu_level, 0) AS pam_fu_level, {sums}
    FROM ({enrollments}) e
    GROUP BY 1, 2
"""
BY_LEVELS = """
    SELECT pam_level, pam_fu_level, {sums} FROM ({parts}) rows
    GROUP BY pam_level, pam_fu_level
"""


def dashboard_scope(user, filters: dict) -> DashboardScope:
    """The user's partnerships (program managers only, oldest first) and filters."""
    partnerships = []
    if manages_program(user):
        partnerships = list(
            Partnership.objects.of_organization(user.organization_id)
            .accepted()
            .order_by("pk")
        )
    return DashboardScope(partnerships=partnerships, filters=filters)
