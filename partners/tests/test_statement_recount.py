"""The statement the database computes equals a plain recount of the rules over
every row, on a generated mix: referrals accepted, closed, entered in error or never
accepted across four months, patients with several referrals, pathways of paid and
unpaid kinds approved late, a month never issued, a rate added after an issue and
another partnership's records."""

import datetime
import random
import zoneinfo
from decimal import Decimal

import pytest

from partners import services, statements
from partners.models import BillingMethod, Statement, StatementLine, User
from partners.statements import payment_agreement_for, statement_compute
from partners.tests.partnership_builders import payment_agreement
from referrals.models import Pathway, Referral
from referrals.services import assignment, pathways, workflow
from referrals.tests.factories import ReferralFactory

NOVEMBER, DECEMBER = datetime.date(2025, 11, 1), datetime.date(2025, 12, 1)
JANUARY, FEBRUARY = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)
NEEDS = ["food-insecurity", "housing-instability", "employment-status"]
NOT_BILLABLE = {Referral.Status.DRAFT, Referral.Status.ENTERED_IN_ERROR}


def recount(partnership, month):
    """Each line the month's statement should hold, from the rules alone:
    (method, referral, pathway, patient, amount, earned on), in order."""
    contract = payment_agreement_for(partnership=partnership, period_start=month)
    zone = zoneinfo.ZoneInfo(partnership.time_zone)
    start = datetime.datetime.combine(month, datetime.time(), tzinfo=zone)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    end = datetime.datetime.combine(following, datetime.time(), tzinfo=zone)
    since = datetime.datetime.combine(contract.effective_on, datetime.time(), zone)
    billed = list(StatementLine.objects.all())
    billed_referrals = {
        line.referral_id
        for line in billed
        if line.method == BillingMethod.ACCEPTED_REFERRAL
    }
    billed_pathways = {line.pathway_id for line in billed if line.pathway_id}
    billed_patients = {
        line.patient_id
        for line in billed
        if line.method == BillingMethod.ENROLLED_PATIENT and line.period_start == month
    }
    referrals = {
        referral.pk: referral
        for referral in Referral.objects.filter(partnership=partnership)
        if referral.status not in NOT_BILLABLE
    }
    lines = []
    fee = contract.fee_per_accepted_referral
    accepted = [
        referral
        for referral in referrals.values()
        if referral.accepted_at
        and since <= referral.accepted_at < end
        and referral.pk not in billed_referrals
    ]
    for referral in sorted(accepted, key=lambda r: (r.accepted_at, r.pk)):
        earned_on = referral.accepted_at.astimezone(zone).date()
        lines.append(
            (
                "accepted_referral",
                referral.pk,
                None,
                referral.patient_id,
                fee,
                earned_on,
            )
        )
    rates = {rate.kind: rate.amount for rate in contract.pathway_rates.all()}
    approved = [
        pathway
        for pathway in Pathway.objects.filter(status=Pathway.Status.APPROVED)
        if pathway.referral_id in referrals
        and since <= pathway.approved_at < end
        and pathway.kind in rates
        and pathway.pk not in billed_pathways
    ]
    for pathway in sorted(approved, key=lambda p: (p.approved_at, p.pk)):
        lines.append(
            (
                "approved_pathway",
                pathway.referral_id,
                pathway.pk,
                referrals[pathway.referral_id].patient_id,
                rates[pathway.kind],
                pathway.approved_at.astimezone(zone).date(),
            )
        )
    first_referral = {}
    for referral in referrals.values():
        if (
            referral.accepted_at
            and referral.accepted_at < end
            and (referral.closed_at is None or referral.closed_at >= start)
            and referral.patient_id not in billed_patients
        ):
            earlier = first_referral.get(referral.patient_id, referral.pk)
            first_referral[referral.patient_id] = min(earlier, referral.pk)
    fee = contract.fee_per_enrolled_patient_month
    for patient_id in sorted(first_referral):
        referral_id = first_referral[patient_id]
        lines.append(("enrolled_patient", referral_id, None, patient_id, fee, month))
    ftes = (contract.funded_ftes * contract.monthly_rate_per_fte).quantize(
        Decimal("0.01")
    )
    lines.append(("navigator_fte", None, None, None, ftes, month))
    return lines


def as_rows(lines):
    return [
        (
            line.method,
            line.referral_id,
            line.pathway_id,
            line.patient_id,
            line.amount,
            line.earned_on,
        )
        for line in lines
    ]


def totals(rows):
    by_method = {}
    for method, *_earner, amount, _earned_on in rows:
        count, total = by_method.get(method, (0, Decimal(0)))
        by_method[method] = (count + 1, total + amount)
    return [
        (label, *by_method[value])
        for value, label in BillingMethod.choices
        if value in by_method
    ]


class Mix:
    """Plays a seeded timeline of referral work through the services."""

    def __init__(self, rng, partnership, clinic, people, clock):
        self.rng, self.partnership, self.clinic = rng, partnership, clinic
        self.people, self.clock = people, clock
        self.zone = zoneinfo.ZoneInfo(partnership.time_zone)
        self.events = []
        self.patients = []

    def moment(self, month, after=None):
        day = datetime.datetime.combine(
            month, datetime.time(), tzinfo=self.zone
        ) + datetime.timedelta(minutes=self.rng.randrange(28 * 24 * 60))
        if after is not None and day <= after:
            day = after + datetime.timedelta(hours=self.rng.randrange(1, 200))
        return day

    def at(self, moment, action, *args):
        self.events.append((moment, len(self.events), action, args))

    def plan_referral(self, number):
        month = self.rng.choice([NOVEMBER, DECEMBER, JANUARY, FEBRUARY])
        sent = self.moment(month)
        self.at(sent, self.send, number)
        if self.rng.random() < 0.15:
            return
        accepted = self.moment(month, after=sent)
        self.at(accepted, self.accept, number)
        moment = accepted
        if self.rng.random() < 0.7:
            moment += datetime.timedelta(hours=1)
            self.at(moment, self.assign, number)
            for need in self.rng.sample(NEEDS, self.rng.randint(1, 2)):
                moment += datetime.timedelta(hours=1)
                self.at(moment, self.open_pathway, number, need)
                if self.rng.random() < 0.8:
                    moment += datetime.timedelta(days=self.rng.randrange(1, 50))
                    self.at(moment, self.approve_pathway, number, need)
        ending = self.rng.random()
        if ending < 0.4:
            moment += datetime.timedelta(days=self.rng.randrange(1, 60))
            self.at(moment, self.close, number, "cancel")
        elif ending < 0.5:
            moment += datetime.timedelta(days=self.rng.randrange(1, 60))
            self.at(moment, self.close, number, "enter_in_error")

    def send(self, number):
        fields = {"social_needs": NEEDS}
        if self.patients and self.rng.random() < 0.3:
            fields["patient"] = self.rng.choice(self.patients)
        referral = ReferralFactory(
            partnership=self.partnership, clinic=self.clinic, **fields
        )
        self.patients.append(referral.patient)
        self.referrals[number] = referral
        self.pathways[number] = {}

    def accept(self, number):
        self.referrals[number] = workflow.referral_transition(
            referral=self.referrals[number],
            actor=self.people["supervisor"],
            name="accept",
        )

    def assign(self, number):
        self.referrals[number] = assignment.referral_assign(
            referral=self.referrals[number],
            actor=self.people["supervisor"],
            navigator=self.people["navigator"],
        )

    def open_pathway(self, number, need):
        pathway = pathways.pathway_open(
            referral=self.referrals[number],
            actor=self.people["navigator"],
            need=need,
            goal="Met",
        )
        self.pathways[number][need] = pathways.pathway_close(
            pathway=pathway, actor=self.people["navigator"], completed=True, note="Ok"
        )

    def approve_pathway(self, number, need):
        pathways.pathway_review(
            pathway=Pathway.objects.get(pk=self.pathways[number][need].pk),
            actor=self.people["supervisor"],
            approve=True,
        )

    def close(self, number, name):
        referral = Referral.objects.get(pk=self.referrals[number].pk)
        if referral.status in NOT_BILLABLE:
            return
        reason = "wrong_patient" if name == "enter_in_error" else "no_longer_needed"
        self.referrals[number] = workflow.referral_transition(
            referral=referral,
            actor=self.people["clinic_user"],
            name=name,
            reason_code=reason,
        )

    def play(self, until, count, extra=()):
        self.referrals, self.pathways = {}, {}
        for number in range(count):
            self.plan_referral(number)
        for moment, order, action, args in extra:
            self.events.append((moment, -1 - order, action, args))
        for moment, _order, action, args in sorted(self.events):
            if moment >= until:
                continue
            self.clock.move_to(moment)
            action(*args)


@pytest.fixture
def mix(partnership, clinic, clinic_user, supervisor, navigator, time_machine):
    partnership.time_zone = "America/New_York"
    partnership.save()
    people = {
        "clinic_user": clinic_user,
        "supervisor": supervisor,
        "navigator": navigator,
    }
    return Mix(random.Random(20260301), partnership, clinic, people, time_machine)


def assert_draft_is_the_recount(partnership, month):
    draft = statement_compute(partnership=partnership, period_start=month)
    expected = recount(partnership, month)
    assert as_rows(draft.lines) == expected
    assert draft.totals_by_method == totals(expected)
    assert draft.subtotal == sum(row[4] for row in expected)
    assert draft.total == min(draft.subtotal, draft.contract.cap_per_month)
    # Read a page at a time, across the methods' boundaries, the lines are the same.
    pages = draft.line_pages
    paged = [line for start in range(0, 90, 7) for line in pages[start : start + 7]]
    assert as_rows(paged) == expected
    assert len(pages) == len(expected)
    return draft, expected


@pytest.mark.parametrize("marks", ["kept", "lost"])
def test_drafts_and_issued_statements_equal_a_recount_of_every_row(
    mix, partnership, manager, other_partnership, outsiders, time_machine, marks
):
    contract = payment_agreement(
        partnership,
        manager,
        effective_on=DECEMBER,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="40.00",
        funded_ftes="0.75",
        monthly_rate_per_fte="3333.33",
        cap_per_month="7000.00",
        rates={"food_security": "300.00", "housing": "450.00"},
    )
    outsider = ReferralFactory(partnership=other_partnership)
    issue_january = datetime.datetime(2026, 2, 2, 9, tzinfo=mix.zone)

    def issue(month):
        statements.statement_issue(
            actor=manager, partnership=partnership, period_start=month
        )
        if marks == "lost":
            # As a bulk load leaves a statement: lines stored, nothing marked.
            Statement.objects.update(earners_marked=False)
            Referral.objects.update(acceptance_billed_at=None)
            Pathway.objects.update(billed_at=None, partnership=None)

    def pay_employment():
        services.pathway_rates_set(
            actor=manager,
            contract=contract,
            rates={
                "food_security": Decimal("300.00"),
                "housing": Decimal("450.00"),
                "employment": Decimal("125.50"),
            },
        )

    def accept_outsider():
        workflow.referral_transition(
            referral=outsider, actor=outsiders[User.Role.SUPERVISOR], name="accept"
        )

    extra = [
        (datetime.datetime(2026, 1, 20, tzinfo=mix.zone), 0, accept_outsider, ()),
        # December is never issued: its items go on January's statement.
        (issue_january, 1, issue, (JANUARY,)),
        # Unpaid employment pathways approved earlier then land on February's.
        (issue_january + datetime.timedelta(days=3), 2, pay_employment, ()),
    ]
    mix.play(
        until=datetime.datetime(2026, 3, 1, tzinfo=mix.zone), count=36, extra=extra
    )
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=mix.zone))

    january = partnership.statements.get(period_start=JANUARY)
    # January stays under the cap, February goes over it.
    assert january.lines.exists() and january.total == january.subtotal
    draft, expected = assert_draft_is_the_recount(partnership, FEBRUARY)
    methods = {row[0] for row in expected}
    assert methods == set(BillingMethod.values)
    assert any(
        row[0] == "approved_pathway" and row[4] == Decimal("125.50") for row in expected
    )
    assert any(row[5] < FEBRUARY for row in expected if row[0] != "enrolled_patient")

    issue(FEBRUARY)
    february = partnership.statements.get(period_start=FEBRUARY)
    assert as_rows(february.lines.all()) == expected
    assert february.subtotal == draft.subtotal
    assert (february.total, february.cap) == (draft.total, Decimal("7000.00"))
    assert february.total < february.subtotal
    assert_draft_is_the_recount(partnership, MARCH)
