"""Each payment method's lines for a month, counted, read and stored in the
database: the draft counts and sums them there and reads only the lines shown,
and issuing copies them with ``INSERT ... SELECT``, so a month of a statewide
partnership (tens of thousands of lines) never passes through Python.

Issuing also marks what it billed (``Referral.acceptance_billed_at``,
``Pathway.billed_at``) and the statement as marked, so a draft reads the acceptances
and pathways not yet billed instead of every one since the agreement took effect.
While some statement is not marked (written by a bulk load), drafts check every
row against the stored lines as well: slower, but nothing is billed twice."""

import dataclasses
import datetime
import zoneinfo
from decimal import Decimal
from typing import Protocol

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import (
    BillingMethod,
    Contract,
    Partnership,
    Statement,
    StatementLine,
)
from referrals.models import Pathway, Referral

CENTS = Decimal("0.01")
NOT_BILLABLE = [Referral.Status.DRAFT, Referral.Status.ENTERED_IN_ERROR]


@dataclasses.dataclass(frozen=True)
class Terms:
    """What a month's statement is computed from."""

    partnership: Partnership
    contract: Contract
    period_start: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    # Items earned before the agreement took effect are not billable under it;
    # items of earlier months not yet billed are (late entries, corrections).
    since: datetime.datetime
    # Every issued statement's earners carry their marks.
    marks_complete: bool

    @property
    def zone(self) -> datetime.tzinfo:
        return self.start.tzinfo


def terms_for(partnership, contract, period_start) -> Terms:
    start, end = month_bounds(period_start, partnership.time_zone)
    since = datetime.datetime.combine(
        contract.effective_on, datetime.time(), tzinfo=start.tzinfo
    )
    marks_complete = not Statement.objects.filter(earners_marked=False).exists()
    return Terms(partnership, contract, period_start, start, end, since, marks_complete)


def _line(*, method, description, amount, quantity=1, **earner):
    quantity = Decimal(quantity)
    return StatementLine(
        method=method,
        description=description,
        quantity=quantity,
        unit_amount=amount,
        amount=(quantity * amount).quantize(CENTS),
        **earner,
    )


def _billed(method, **earner) -> Exists:
    return Exists(StatementLine.objects.filter(method=method, **earner))


def _unmarked(rows: QuerySet, terms: Terms, method, **earner) -> QuerySet:
    """The rows (already without a billing mark) not on an issued statement: the
    marks decide, unless some statement lacks its marks; then every row is also
    checked against the stored lines."""
    if terms.marks_complete:
        return rows
    return rows.exclude(_billed(method, **earner))


# The columns of a stored line, in the order ``_insert_lines`` writes them.
LINE_COLUMNS = [
    "statement_id",
    "period_start",
    "method",
    "description",
    "referral_id",
    "pathway_id",
    "patient_id",
    "quantity",
    "unit_amount",
    "amount",
    "earned_on",
]
NO_ID = Value(None, output_field=IntegerField())


def _insert_lines(rows: QuerySet, *, statement: Statement, method, columns) -> None:
    """Copy the rows, in their order, into the statement's lines: one
    ``INSERT ... SELECT``, so a month of a statewide partnership never passes
    through Python."""
    values = {
        "statement_id": Value(statement.pk),
        "period_start": Value(statement.period_start),
        "method": Value(str(method)),
        "quantity": Value(Decimal(1)),
        **columns,
    }
    select = rows.annotate(
        **{f"line_{name}": values[name] for name in LINE_COLUMNS}
    ).values_list(*(f"line_{name}" for name in LINE_COLUMNS))
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(StatementLine._meta.db_table)
    names = ", ".join(quote(name) for name in LINE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


class Earnings(Protocol):
    """One payment method's lines for a month, counted and read in the database."""

    method: BillingMethod
    terms: Terms

    def total(self) -> tuple[int, Decimal]:
        """The number of lines and their amount."""

    def lines(self, start: int, stop: int) -> list[StatementLine]:
        """Lines ``start`` to ``stop`` (excluded), in order, with what earned them."""

    def insert(self, statement: Statement) -> None:
        """Store the lines on the issued statement, and mark what they bill."""


class _Method:
    def __init__(self, terms: Terms):
        self.terms = terms


class _FeePerReferral(_Method):
    """A fixed fee for each line, earned through a referral."""

    fee: Decimal
    description: str  # lazy: read in the language of the request

    def _line(self, referral, earned_on) -> StatementLine:
        return _line(
            method=self.method,
            description=str(self.description),
            amount=self.fee,
            referral=referral,
            patient=referral.patient,
            earned_on=earned_on,
        )

    def _insert(self, statement, *, referral_id, earned_on) -> None:
        _insert_lines(
            self.rows(),
            statement=statement,
            method=self.method,
            columns={
                "description": Value(str(self.description)),
                "referral_id": referral_id,
                "pathway_id": NO_ID,
                "patient_id": F("patient_id"),
                "unit_amount": Value(self.fee),
                "amount": Value(self.fee),
                "earned_on": earned_on,
            },
        )


class _AcceptedReferrals(_FeePerReferral):
    method = BillingMethod.ACCEPTED_REFERRAL
    description = gettext_lazy("Referral accepted")

    def __init__(self, terms):
        super().__init__(terms)
        self.fee = terms.contract.fee_per_accepted_referral

    def rows(self) -> QuerySet[Referral]:
        terms = self.terms
        referrals = Referral.objects.filter(
            partnership=terms.partnership,
            acceptance_billed_at__isnull=True,
            accepted_at__gte=terms.since,
            accepted_at__lt=terms.end,
        ).exclude(status__in=NOT_BILLABLE)
        return _unmarked(
            referrals, terms, self.method, referral_id=OuterRef("pk")
        ).order_by("accepted_at", "pk")

    def total(self):
        count = self.rows().count()
        return count, count * self.fee

    def lines(self, start, stop):
        referrals = self.rows().select_related("patient")[start:stop]
        zone = self.terms.zone
        return [
            self._line(referral, timezone.localdate(referral.accepted_at, zone))
            for referral in referrals
        ]

    def insert(self, statement):
        self._insert(
            statement,
            referral_id=F("pk"),
            earned_on=TruncDate("accepted_at", tzinfo=self.terms.zone),
        )
        billed = statement.lines.filter(method=self.method).values("referral_id")
        Referral.objects.filter(pk__in=billed).update(
            acceptance_billed_at=statement.issued_at
        )


class _ApprovedPathways(_Method):
    """Approved pathways of the kinds the agreement pays a rate for."""

    method = BillingMethod.APPROVED_PATHWAY

    def __init__(self, terms):
        super().__init__(terms)
        self.rates = dict(terms.contract.pathway_rates.values_list("kind", "amount"))

    def rows(self) -> QuerySet[Pathway]:
        terms = self.terms
        pathways = Pathway.objects.filter(
            # Pathways written without their partnership (a bulk load) are
            # found through their referral: slower, but not missed.
            Q(partnership=terms.partnership)
            | Q(partnership__isnull=True, referral__partnership=terms.partnership),
            billed_at__isnull=True,
            status=Pathway.Status.APPROVED,
            approved_at__gte=terms.since,
            approved_at__lt=terms.end,
            kind__in=list(self.rates),
        ).exclude(referral__status__in=NOT_BILLABLE)
        return _unmarked(
            pathways, terms, self.method, pathway_id=OuterRef("pk")
        ).order_by("approved_at", "pk")

    def total(self):
        counts = self.rows().order_by().values_list("kind").annotate(Count("pk"))
        counts = dict(counts)
        amount = sum(
            (count * self.rates[kind] for kind, count in counts.items()), Decimal(0)
        )
        return sum(counts.values()), amount

    @staticmethod
    def description(kind) -> str:
        return _("%(pathway)s pathway approved") % {
            "pathway": Pathway(kind=kind).get_kind_display()
        }

    def lines(self, start, stop):
        pathways = self.rows().select_related("referral__patient")[start:stop]
        return [
            _line(
                method=self.method,
                description=self.description(pathway.kind),
                amount=self.rates[pathway.kind],
                pathway=pathway,
                referral=pathway.referral,
                patient=pathway.referral.patient,
                earned_on=timezone.localdate(pathway.approved_at, self.terms.zone),
            )
            for pathway in pathways
        ]

    def _by_kind(self, value, output_field) -> Case:
        return Case(
            *(When(kind=kind, then=Value(value(kind))) for kind in self.rates),
            output_field=output_field,
        )

    def insert(self, statement):
        if not self.rates:
            return
        rate = self._by_kind(self.rates.get, DecimalField())
        _insert_lines(
            self.rows(),
            statement=statement,
            method=self.method,
            columns={
                "description": self._by_kind(self.description, CharField()),
                "referral_id": F("referral_id"),
                "pathway_id": F("pk"),
                "patient_id": F("referral__patient_id"),
                "unit_amount": rate,
                "amount": rate,
                "earned_on": TruncDate("approved_at", tzinfo=self.terms.zone),
            },
        )
        billed = statement.lines.filter(method=self.method).values("pathway_id")
        Pathway.objects.filter(pk__in=billed).update(billed_at=statement.issued_at)


class _EnrolledPatients(_FeePerReferral):
    """Patients with an accepted referral open at some point in the month, each
    once, through their first such referral."""

    method = BillingMethod.ENROLLED_PATIENT
    description = gettext_lazy("Patient enrolled during the month")

    def __init__(self, terms):
        super().__init__(terms)
        self.fee = terms.contract.fee_per_enrolled_patient_month

    def referrals(self) -> QuerySet[Referral]:
        """Accepted referrals of the partnership, before the month's end, of
        patients not yet billed for it (whenever the referrals closed)."""
        terms = self.terms
        return (
            Referral.objects.filter(
                partnership=terms.partnership,
                accepted_at__isnull=False,
                accepted_at__lt=terms.end,
            )
            .exclude(status__in=NOT_BILLABLE)
            .exclude(
                _billed(
                    self.method,
                    patient_id=OuterRef("patient_id"),
                    period_start=terms.period_start,
                )
            )
        )

    def rows(self) -> QuerySet:
        open_in_month = Q(closed_at__isnull=True) | Q(closed_at__gte=self.terms.start)
        return (
            self.referrals()
            .filter(open_in_month)
            .values("patient_id")
            .annotate(first_referral=Min("pk"))
            .order_by("patient_id")
        )

    def total(self):
        # The referrals still open and those closed since the month began, each
        # read from its own stretch of an index (one scan with OR reads them all).
        referrals = self.referrals().order_by().values("patient_id")
        patients = referrals.filter(closed_at__isnull=True).union(
            referrals.filter(closed_at__gte=self.terms.start)
        )
        count = patients.count()
        return count, count * self.fee

    def lines(self, start, stop):
        first_referrals = self.rows().values("first_referral")[start:stop]
        referrals = (
            Referral.objects.filter(pk__in=first_referrals)
            .select_related("patient")
            .order_by("patient_id")
        )
        period_start = self.terms.period_start
        return [self._line(referral, period_start) for referral in referrals]

    def insert(self, statement):
        self._insert(
            statement,
            referral_id=F("first_referral"),
            earned_on=Value(self.terms.period_start),
        )


class _FundedFtes(_Method):
    method = BillingMethod.NAVIGATOR_FTE

    def line(self) -> StatementLine:
        contract = self.terms.contract
        return _line(
            method=self.method,
            description=_("Funded navigator FTEs for the month"),
            amount=contract.monthly_rate_per_fte,
            quantity=contract.funded_ftes,
            earned_on=self.terms.period_start,
        )

    def total(self):
        return 1, self.line().amount

    def lines(self, start, stop):
        return [self.line()][start:stop]

    def insert(self, statement):
        line = self.line()
        line.statement = statement
        line.period_start = statement.period_start
        line.save()


def earnings_for(terms: Terms) -> list[Earnings]:
    """The agreement's payment methods, in the order their lines are listed."""
    contract = terms.contract
    earnings = []
    if contract.fee_per_accepted_referral is not None:
        earnings.append(_AcceptedReferrals(terms))
    earnings.append(_ApprovedPathways(terms))
    if contract.fee_per_enrolled_patient_month is not None:
        earnings.append(_EnrolledPatients(terms))
    if contract.funded_ftes and contract.monthly_rate_per_fte is not None:
        earnings.append(_FundedFtes(terms))
    return earnings


def month_bounds(
    period_start: datetime.date, time_zone: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as aware datetimes in the partnership's time zone: [start, end)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = datetime.datetime.combine(period_start, datetime.time(), tzinfo=zone)
    following = (period_start + datetime.timedelta(days=32)).replace(day=1)
    end = datetime.datetime.combine(following, datetime.time(), tzinfo=zone)
    return start, end
