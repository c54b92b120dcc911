"""Statement arithmetic: what a partnership's payment agreement earns in a month.

Every line comes from a row in the database (the referral, pathway or patient that
earned it), and anything already on an issued statement is left out, so a record
entered late lands on the next statement and nothing is billed twice. The unique
constraints on ``StatementLine`` back this up when two people issue at once.
"""

import csv
import dataclasses
import datetime
import zoneinfo
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.access import may_edit_partnership
from partners.models import (
    BillingMethod,
    Contract,
    Partnership,
    PathwayRate,
    Statement,
    StatementLine,
    User,
)
from referrals.models import Encounter, Pathway, Referral

CENTS = Decimal("0.01")
NOT_BILLABLE = [Referral.Status.DRAFT, Referral.Status.ENTERED_IN_ERROR]
G0019_MINUTES = 60
G0022_MINUTES = 30


@dataclasses.dataclass
class StatementDraft:
    partnership: Partnership
    period_start: datetime.date
    contract: Contract | None
    lines: list[StatementLine]
    subtotal: Decimal
    total: Decimal

    @property
    def cap(self):
        return self.contract.cap_per_month if self.contract else None

    @property
    def cap_reduction(self):
        return self.subtotal - self.total

    @property
    def totals_by_method(self):
        return totals_by_method(self.lines)


def totals_by_method(lines) -> list[tuple[str, int, Decimal]]:
    """(method label, number of lines, amount) per payment method, in method order."""
    totals = {}
    for line in lines:
        count, amount = totals.get(line.method, (0, Decimal(0)))
        totals[line.method] = (count + 1, amount + line.amount)
    return [
        (label, *totals[value])
        for value, label in BillingMethod.choices
        if value in totals
    ]


def month_bounds(
    period_start: datetime.date, time_zone: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as aware datetimes in the partnership's time zone: [start, end)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = datetime.datetime.combine(period_start, datetime.time(), tzinfo=zone)
    following = (period_start + datetime.timedelta(days=32)).replace(day=1)
    end = datetime.datetime.combine(following, datetime.time(), tzinfo=zone)
    return start, end


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


def _accepted_referral_lines(partnership, contract, since, end):
    referrals = (
        Referral.objects.filter(
            partnership=partnership, accepted_at__gte=since, accepted_at__lt=end
        )
        .exclude(status__in=NOT_BILLABLE)
        .exclude(
            Exists(
                StatementLine.objects.filter(
                    referral_id=OuterRef("pk"), method=BillingMethod.ACCEPTED_REFERRAL
                )
            )
        )
        .select_related("patient")
        .order_by("accepted_at", "pk")
    )
    return [
        _line(
            method=BillingMethod.ACCEPTED_REFERRAL,
            description=_("Referral accepted"),
            amount=contract.fee_per_accepted_referral,
            referral=referral,
            patient=referral.patient,
            earned_on=timezone.localdate(referral.accepted_at, since.tzinfo),
        )
        for referral in referrals
    ]


def _approved_pathway_lines(partnership, contract, since, end):
    rate = PathwayRate.objects.filter(contract=contract, kind=OuterRef("kind"))
    pathways = (
        Pathway.objects.filter(
            referral__partnership=partnership,
            status=Pathway.Status.APPROVED,
            approved_at__gte=since,
            approved_at__lt=end,
        )
        .exclude(referral__status__in=NOT_BILLABLE)
        .exclude(
            Exists(
                StatementLine.objects.filter(
                    pathway_id=OuterRef("pk"), method=BillingMethod.APPROVED_PATHWAY
                )
            )
        )
        .annotate(rate=Subquery(rate.values("amount")[:1]))
        .filter(rate__isnull=False)
        .select_related("referral__patient")
        .order_by("approved_at", "pk")
    )
    return [
        _line(
            method=BillingMethod.APPROVED_PATHWAY,
            description=_("%(pathway)s pathway approved")
            % {"pathway": pathway.get_kind_display()},
            amount=pathway.rate,
            pathway=pathway,
            referral=pathway.referral,
            patient=pathway.referral.patient,
            earned_on=timezone.localdate(pathway.approved_at, since.tzinfo),
        )
        for pathway in pathways
    ]


def _enrolled_patient_lines(partnership, contract, period_start, start, end):
    """Patients with an accepted referral open at some point in the month."""
    enrolled = (
        Referral.objects.filter(
            partnership=partnership, accepted_at__isnull=False, accepted_at__lt=end
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .exclude(status__in=NOT_BILLABLE)
        .exclude(
            Exists(
                StatementLine.objects.filter(
                    patient_id=OuterRef("patient_id"),
                    period_start=period_start,
                    method=BillingMethod.ENROLLED_PATIENT,
                )
            )
        )
        .values("patient_id")
        .annotate(first_referral=Min("pk"))
        .order_by("patient_id")
    )
    referrals = Referral.objects.select_related("patient").in_bulk(
        [row["first_referral"] for row in enrolled]
    )
    return [
        _line(
            method=BillingMethod.ENROLLED_PATIENT,
            description=_("Patient enrolled during the month"),
            amount=contract.fee_per_enrolled_patient_month,
            referral=referral,
            patient=referral.patient,
            earned_on=period_start,
        )
        for referral in referrals.values()
    ]


def statement_compute(
    *, partnership: Partnership, period_start: datetime.date
) -> StatementDraft:
    """The lines a statement for the month would hold now, the cap applied."""
    period_start = period_start.replace(day=1)
    contract = payment_agreement_for(partnership=partnership, period_start=period_start)
    lines = []
    if contract is not None:
        start, end = month_bounds(period_start, partnership.time_zone)
        # Items earned before the agreement took effect are not billable under it;
        # items of earlier months not yet billed are (late entries, corrections).
        since = datetime.datetime.combine(
            contract.effective_on, datetime.time(), tzinfo=start.tzinfo
        )
        if contract.fee_per_accepted_referral is not None:
            lines += _accepted_referral_lines(partnership, contract, since, end)
        lines += _approved_pathway_lines(partnership, contract, since, end)
        if contract.fee_per_enrolled_patient_month is not None:
            lines += _enrolled_patient_lines(
                partnership, contract, period_start, start, end
            )
        if contract.funded_ftes and contract.monthly_rate_per_fte is not None:
            lines.append(
                _line(
                    method=BillingMethod.NAVIGATOR_FTE,
                    description=_("Funded navigator FTEs for the month"),
                    amount=contract.monthly_rate_per_fte,
                    quantity=contract.funded_ftes,
                    earned_on=period_start,
                )
            )
    for line in lines:
        line.period_start = period_start
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    total = subtotal
    if contract is not None and contract.cap_per_month is not None:
        total = min(subtotal, contract.cap_per_month)
    return StatementDraft(
        partnership=partnership,
        period_start=period_start,
        contract=contract,
        lines=lines,
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


def _spreadsheet_safe(value: str) -> str:
    """Keep a typed value from being read as a formula by a spreadsheet."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def statement_write_csv(*, stream, statement: Statement, lines) -> None:
    """One row per stored line (with what earned it), then the totals and the cap."""
    writer = csv.writer(stream)
    writer.writerow(
        [
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
    )
    for line in lines:
        writer.writerow(
            [
                f"{statement.period_start:%Y-%m}",
                line.get_method_display(),
                line.description,
                line.earned_on or "",
                line.referral.code if line.referral else "",
                line.pathway.code if line.pathway else "",
                _spreadsheet_safe(line.patient.mrn) if line.patient else "",
                line.quantity,
                line.unit_amount,
                line.amount,
            ]
        )
    writer.writerow([])
    writer.writerow(["", "", _("Subtotal"), "", "", "", "", "", "", statement.subtotal])
    if statement.cap is not None:
        writer.writerow(
            ["", "", _("Cap per month"), "", "", "", "", "", "", statement.cap]
        )
    writer.writerow(["", "", _("Total due"), "", "", "", "", "", "", statement.total])


def statement_issue(
    *, actor: User, partnership: Partnership, period_start: datetime.date
) -> Statement:
    """Freeze a month's statement: its lines become stored rows.

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
        draft = statement_compute(partnership=partnership, period_start=period_start)
        if draft.contract is None:
            raise ValidationError(_("No signed payment agreement covers this month."))
        statement = Statement.objects.create(
            partnership=partnership,
            contract=draft.contract,
            period_start=period_start,
            subtotal=draft.subtotal,
            cap=draft.cap,
            total=draft.total,
            issued_at=timezone.now(),
            issued_by=actor,
        )
        for line in draft.lines:
            line.statement = statement
        StatementLine.objects.bulk_create(draft.lines)
    return statement
