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
from evaluation.models import Enrollment, ReferralFact, ReferralMonth
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
        columns = ", ".join(quote(field.column) for field in fields)
        return NOTHING.format(columns=columns, table=quote(meta.db_table)), ()


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
            sent = Q(partnership_id__in=ids)
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

    def _enrolled(self) -> Q | None:
        """The cohort as a condition on enrollments, when the filters allow:
        patients with a referral sent since a day are those whose latest one was;
        until a day, those whose first one was (a range needs the referrals)."""
        others = ("clinic", "navigator", "language", "need")
        start, end = self.filters.get("start"), self.filters.get("end")
        if any(self.filters.get(name) for name in others) or (start and end):
            return None
        if start:
            return self.sent_in(Days(start, None), field="last_submitted_at")
        if end:
            return self.sent_in(Days(None, end), field="first_submitted_at")
        return Q()

    def patient_ids(self) -> QuerySet:
        """The cohort: the patients of the filtered referrals, as one column."""
        enrolled = self._enrolled()
        if enrolled is None:
            return self.facts().values("patient_id")
        return Enrollment.objects.filter(
            enrolled, partnership_id__in=self.partnership_ids
        ).values("patient_id")

    @cached_property
    def enrollments(self) -> tuple[str, tuple]:
        """SQL of one enrollment per cohort patient: of a patient enrolled in two
        of the partnerships (two CBOs of one health system), the earliest."""
        mine = Enrollment.objects.filter(partnership_id__in=self.partnership_ids)
        enrolled = self._enrolled()
        if enrolled is None:
            cohort = alone = mine.filter(patient_id__in=self.patient_ids())
        elif self.unfiltered:
            cohort = alone = mine
        else:
            # A patient's enrollment that matches decides for their others too.
            cohort = mine.filter(patient_id__in=self.patient_ids())
            alone = mine.filter(enrolled)
        if len(self.partnerships) < 2:
            return compiled(alone.values(*ENROLLMENT_COLUMNS))
        alone, alone_params = compiled(
            alone.filter(shared=False).values(*ENROLLMENT_COLUMNS)
        )
        shared, shared_params = compiled(
            cohort.filter(shared=True).values(*ENROLLMENT_COLUMNS)
        )
        sql = EARLIEST.format(alone=alone, shared=shared)
        return sql, (*alone_params, *shared_params)


ENROLLMENT_COLUMNS = [field.attname for field in Enrollment._meta.concrete_fields]
EARLIEST = """
    ({alone})
    UNION ALL
    (SELECT DISTINCT ON (e.patient_id) e.* FROM ({shared}) e
     ORDER BY e.patient_id, e.first_submitted_at, e.partnership_id)
"""


def dashboard_scope(user, filters: dict) -> DashboardScope:
    """The user's partnerships (program managers only, oldest first) and filters."""
    partnerships = []
    if manages_program(user):
        partnerships = list(
            Partnership.objects.of_organization(user.organization_id).order_by("pk")
        )
    return DashboardScope(partnerships=partnerships, filters=filters)
