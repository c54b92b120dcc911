"""Statement arithmetic: what a partnership's payment agreement earns in a month.

Every line comes from a row in the database (the referral, pathway or patient that
earned it), and anything already on an issued statement is left out, so a record
entered late lands on the next statement and nothing is billed twice. The unique
constraints on ``StatementLine`` back this up when two people issue at once.

The database does the arithmetic (``partners.statements.earnings``).
"""

import collections.abc
import dataclasses
import datetime
import functools
import itertools
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib import csv_export
from partners.access import may_edit_partnership
from partners.models import (
    BillingMethod,
    Contract,
    Partnership,
    Statement,
    StatementLine,
    User,
)
from partners.statements.earnings import (
    Earnings,
    earnings_for,
    month_bounds,
    terms_for,
)
from referrals.models import Encounter

G0019_MINUTES = 60
G0022_MINUTES = 30


class DraftLines(collections.abc.Sequence):
    """A draft's lines in order, each slice read from the database when asked
    for: a page of the draft reads one page of lines, whatever the month holds."""

    def __init__(self, period_start, sections: list[tuple[Earnings, int]]):
        self.period_start = period_start
        self.sections = sections

    def __len__(self):
        return sum(count for _earnings, count in self.sections)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            index = range(len(self))[index]
            return self[index : index + 1][0]
        start, stop, _step = index.indices(len(self))
        lines, offset = [], 0
        for earnings, count in self.sections:
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                lines += earnings.lines(low, high)
            offset += count
        for line in lines:
            line.period_start = self.period_start
        return lines

    def __iter__(self):
        return iter(self[:])


@dataclasses.dataclass
class StatementDraft:
    partnership: Partnership
    period_start: datetime.date
    contract: Contract | None
    # Each payment method with its number of lines and their amount.
    sections: list[tuple[Earnings, int, Decimal]]
    subtotal: Decimal
    total: Decimal

    @property
    def cap(self):
        return self.contract.cap_per_month if self.contract else None

    @property
    def cap_reduction(self):
        return self.subtotal - self.total

    @property
    def totals_by_method(self) -> list[tuple[str, int, Decimal]]:
        """(method label, number of lines, amount) per payment method with lines."""
        return [
            (earnings.method.label, count, amount)
            for earnings, count, amount in self.sections
            if count
        ]

    @functools.cached_property
    def line_pages(self) -> DraftLines:
        return DraftLines(
            self.period_start,
            [(earnings, count) for earnings, count, _amount in self.sections],
        )

    @functools.cached_property
    def lines(self) -> list[StatementLine]:
        return self.line_pages[:]


def payment_agreement_for(
    *, partnership: Partnership, period_start: datetime.date
) -> Contract | None:
    """The signed payment agreement covering the month (the latest one starting)."""
    following = (period_start + datetime.timedelta(days=32)).replace(day=1)
    return (
        Contract.objects.filter(
            partnership=partnership,
            kind=Contract.Kind.PAYMENT,
            status=Contract.Status.SIGNED,
            effective_on__lt=following,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period_start))
        .order_by("-effective_on", "-pk")
        .first()
    )


def statement_compute(
    *, partnership: Partnership, period_start: datetime.date
) -> StatementDraft:
    """What a statement for the month would hold now, the cap applied: each
    method's count and amount are summed in the database; ``lines`` and
    ``line_pages`` read the lines themselves."""
    period_start = period_start.replace(day=1)
    contract = payment_agreement_for(partnership=partnership, period_start=period_start)
    sections = []
    if contract is not None:
        terms = terms_for(partnership, contract, period_start)
        sections = [(earnings, *earnings.total()) for earnings in earnings_for(terms)]
    subtotal = sum((amount for _earnings, _count, amount in sections), Decimal("0.00"))
    total = subtotal
    if contract is not None and contract.cap_per_month is not None:
        total = min(subtotal, contract.cap_per_month)
    return StatementDraft(
        partnership=partnership,
        period_start=period_start,
        contract=contract,
        sections=sections,
        subtotal=subtotal,
        total=total,
    )


def navigator_time_by_patient_month(
    *, partnership: Partnership, since: datetime.datetime | None = None
) -> QuerySet:
    """Minutes of navigator contact summed per patient per month, in the database.

    Each row: patient id and name, ``month`` (its first day, in the partnership's
    time zone), ``minutes``, ``g0019`` (1 when the month reaches 60 minutes) and
    ``g0022`` (full further 30-minute units).
    """
    zone = zoneinfo.ZoneInfo(partnership.time_zone)
    encounters = Encounter.objects.filter(referral__partnership=partnership)
    if since is not None:
        encounters = encounters.filter(occurred_at__gte=since)
    return (
        # A date, not midnight as a datetime: a page would show that midnight in
        # the server's time zone, the previous month for a partnership east of it.
        encounters.annotate(
            month=TruncMonth("occurred_at", tzinfo=zone, output_field=DateField())
        )
        .values(
            "month",
            "referral__patient_id",
            "referral__patient__first_name",
            "referral__patient__last_name",
            "referral__patient__mrn",
        )
        .annotate(minutes=Sum("minutes"))
        .annotate(
            g0019=Case(
                When(minutes__gte=G0019_MINUTES, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),  # pragma: no mutate (inferred the same)
            ),
            # Integer division in PostgreSQL: only full further 30-minute units.
            g0022=Greatest(
                Value(0),
                (F("minutes") - Value(G0019_MINUTES)) / Value(G0022_MINUTES),
                output_field=IntegerField(),  # pragma: no mutate (inferred the same)
            ),
        )
        .order_by("-month", "referral__patient__last_name", "referral__patient_id")
    )


def zone_of(partnership: Partnership) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(partnership.time_zone)


def statement_csv(*, statement: Statement, lines: Iterable[StatementLine]):
    """The statement as CSV text, a row at a time: one row per stored line (with
    what earned it), then the totals and the cap. Headings and labels are
    translated now, in the request's language, not while the rows stream."""
    heading = [
        _("Month"),
        _("Method"),
        _("Description"),
        _("Earned on"),
        _("Referral"),
        _("Pathway"),
        _("Patient MRN"),
        _("Quantity"),
        _("Rate"),
        _("Amount"),
    ]
    methods = {value: str(label) for value, label in BillingMethod.choices}
    month = f"{statement.period_start:%Y-%m}"
    totals = [[], ["", "", _("Subtotal"), "", "", "", "", "", "", statement.subtotal]]
    if statement.cap is not None:
        totals.append(
            ["", "", _("Cap per month"), "", "", "", "", "", "", statement.cap]
        )
    totals.append(["", "", _("Total due"), "", "", "", "", "", "", statement.total])
    rows = (
        [
            month,
            methods.get(line.method, line.method),
            line.description,
            line.earned_on or "",
            line.referral.code if line.referral else "",
            line.pathway.code if line.pathway else "",
            line.patient.mrn if line.patient else "",
            line.quantity,
            line.unit_amount,
            line.amount,
        ]
        for line in lines
    )
    return csv_export.lines(itertools.chain([heading], rows, totals))


def statement_issue(
    *, actor: User, partnership: Partnership, period_start: datetime.date
) -> Statement:
    """Freeze a month's statement: its lines become stored rows, copied in the
    database, and its totals are summed from the stored lines.

    Only a month that has ended, later than every issued one; two managers issuing
    at once are serialised on the partnership row, and the unique constraints on
    the lines refuse anything billed twice.
    """
    if not may_edit_partnership(actor, partnership):
        raise PermissionDenied
    period_start = period_start.replace(day=1)
    _start, end = month_bounds(period_start, partnership.time_zone)
    if end > timezone.now():
        raise ValidationError(_("A statement is issued once its month has ended."))
    with transaction.atomic():
        Partnership.objects.select_for_update().get(pk=partnership.pk)
        if partnership.statements.filter(period_start__gte=period_start).exists():
            raise ValidationError(
                _("A statement for this or a later month is already issued.")
            )
        contract = payment_agreement_for(
            partnership=partnership, period_start=period_start
        )
        if contract is None:
            raise ValidationError(_("No signed payment agreement covers this month."))
        statement = Statement.objects.create(
            partnership=partnership,
            contract=contract,
            period_start=period_start,
            subtotal=0,
            cap=contract.cap_per_month,
            total=0,
            issued_at=timezone.now(),
            issued_by=actor,
            earners_marked=True,
        )
        for earnings in earnings_for(terms_for(partnership, contract, period_start)):
            earnings.insert(statement)
        subtotal = statement.lines.aggregate(amount=Sum("amount"))["amount"]
        statement.subtotal = subtotal or Decimal("0.00")
        statement.total = statement.subtotal
        if statement.cap is not None:
            statement.total = min(statement.subtotal, statement.cap)
        statement.save(update_fields=["subtotal", "total", "updated"])
    return statement
