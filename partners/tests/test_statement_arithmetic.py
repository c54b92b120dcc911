"""Monthly statements: each payment method, the cap, no double billing, frozen."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from partners import statements
from partners.models import BillingMethod, StatementLine
from partners.statements import statement_compute
from partners.tests.partnership_builders import (
    accepted_referral,
    approved_pathway,
    food_and_housing_pathways,
    payment_agreement,
)

FEBRUARY = datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def in_february(time_machine):
    time_machine.move_to("2026-02-10 18:00:00+00:00")
    return time_machine


def amounts(draft):
    return {label: amount for label, _count, amount in draft.totals_by_method}


def test_each_accepted_referral_earns_the_fee_once(
    partnership, clinic, supervisor, manager, in_february
):
    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    first = accepted_referral(partnership, clinic, supervisor)
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.total == Decimal("300.00")
    assert {line.referral for line in draft.lines} >= {first}
    assert all(line.method == BillingMethod.ACCEPTED_REFERRAL for line in draft.lines)


def test_submitted_but_not_accepted_referrals_earn_nothing(
    partnership, clinic, manager, in_february
):
    from referrals.tests.factories import ReferralFactory

    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    ReferralFactory(partnership=partnership, clinic=clinic)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.lines == []
    assert draft.total == Decimal("0.00")


def test_approved_pathways_earn_their_kinds_rate_and_unrated_kinds_nothing(
    partnership, clinic, supervisor, navigator, manager, in_february
):
    payment_agreement(partnership, manager, rates={"food_security": "350.00"})
    food, _housing = food_and_housing_pathways(
        partnership, clinic, supervisor, navigator
    )
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.pathway for line in draft.lines] == [food]
    assert draft.total == Decimal("350.00")


def test_enrolled_patients_are_billed_once_a_month_whatever_their_referrals(
    partnership, clinic, supervisor, manager, in_february
):
    payment_agreement(partnership, manager, fee_per_enrolled_patient_month="75.00")
    referral = accepted_referral(partnership, clinic, supervisor)
    accepted_referral(partnership, clinic, supervisor, patient=referral.patient)
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert len(draft.lines) == 2
    assert draft.total == Decimal("150.00")


def test_funded_ftes_bill_the_monthly_rate_times_the_ftes(
    partnership, manager, in_february
):
    payment_agreement(
        partnership, manager, funded_ftes="1.50", monthly_rate_per_fte="5000.00"
    )
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.method for line in draft.lines] == [BillingMethod.NAVIGATOR_FTE]
    assert draft.total == Decimal("7500.00")


def test_methods_combine_and_the_cap_limits_the_total(
    partnership, clinic, supervisor, manager, in_february
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="150.00",
        funded_ftes="1.00",
        monthly_rate_per_fte="1000.00",
        cap_per_month="1200.00",
    )
    accepted_referral(partnership, clinic, supervisor)
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.subtotal == Decimal("1300.00")
    assert draft.total == Decimal("1200.00")
    assert draft.cap_reduction == Decimal("100.00")
    assert amounts(draft) == {
        BillingMethod.ACCEPTED_REFERRAL.label: Decimal("300.00"),
        BillingMethod.NAVIGATOR_FTE.label: Decimal("1000.00"),
    }


def test_no_agreement_means_no_lines(partnership, clinic, supervisor, in_february):
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.contract is None
    assert draft.lines == []


def test_an_issued_statement_is_frozen_and_late_items_go_on_the_next(
    partnership, clinic, supervisor, navigator, manager, in_february
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        rates={"food_security": "300.00"},
    )
    referral = accepted_referral(partnership, clinic, supervisor)
    in_february.move_to("2026-03-02 18:00:00+00:00")
    february = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=FEBRUARY
    )
    assert february.total == Decimal("100.00")
    # A pathway approved later (a correction) lands on March, not February.
    approved_pathway(referral, supervisor, navigator)
    assert february.lines.count() == 1
    march = statement_compute(partnership=partnership, period_start=MARCH)
    assert [line.method for line in march.lines] == [BillingMethod.APPROVED_PATHWAY]
    assert march.total == Decimal("300.00")


def test_an_approved_pathway_is_billed_once_only(
    partnership, clinic, supervisor, navigator, manager, in_february
):
    payment_agreement(partnership, manager, rates={"food_security": "300.00"})
    approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    in_february.move_to("2026-04-02 18:00:00+00:00")
    february = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=FEBRUARY
    )
    march = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=MARCH
    )
    assert february.total == Decimal("300.00")
    assert march.lines.count() == 0
    line = february.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementLine.objects.create(
            statement=march,
            period_start=MARCH,
            method=BillingMethod.APPROVED_PATHWAY,
            description="again",
            pathway=line.pathway,
            quantity=1,
            unit_amount=300,
            amount=300,
        )


def test_a_month_not_over_or_before_an_issued_one_cannot_be_issued(
    partnership, manager, in_february
):
    payment_agreement(
        partnership, manager, funded_ftes="1.00", monthly_rate_per_fte="10.00"
    )
    with pytest.raises(ValidationError) as refusal:
        statements.statement_issue(
            actor=manager, partnership=partnership, period_start=FEBRUARY
        )
    assert refusal.value.messages == ["A statement is issued once its month has ended."]
    in_february.move_to("2026-04-02 18:00:00+00:00")
    statements.statement_issue(
        actor=manager, partnership=partnership, period_start=MARCH
    )
    with pytest.raises(ValidationError) as refusal:
        statements.statement_issue(
            actor=manager, partnership=partnership, period_start=FEBRUARY
        )
    assert refusal.value.messages == [
        "A statement for this or a later month is already issued."
    ]


def test_a_month_without_a_signed_payment_agreement_cannot_be_issued(
    partnership, clinic, supervisor, manager, in_february
):
    accepted_referral(partnership, clinic, supervisor)
    in_february.move_to("2026-03-02 18:00:00+00:00")
    with pytest.raises(ValidationError) as refusal:
        statements.statement_issue(
            actor=manager, partnership=partnership, period_start=FEBRUARY
        )
    assert refusal.value.messages == ["No signed payment agreement covers this month."]
    assert not partnership.statements.exists()


def test_supervisors_cannot_issue_statements(partnership, supervisor, manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        statements.statement_issue(
            actor=supervisor, partnership=partnership, period_start=FEBRUARY
        )


def test_manager_issues_from_the_page_and_downloads_the_csv(
    reauthenticated, partnership, clinic, supervisor, manager, in_february
):
    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    referral = accepted_referral(partnership, clinic, supervisor)
    in_february.move_to("2026-03-02 18:00:00+00:00")
    # The statement CSV lists medical record numbers: it asks for the password.
    client = reauthenticated(manager)
    url = reverse("partners:statements", args=[partnership.code])
    page = client.get(url, {"month": "2026-02"})
    assert "$150.00" in page.content.decode()
    issued = client.post(
        reverse("partners:statement-issue", args=[partnership.code]),
        {"month": "2026-02"},
        follow=True,
    )
    assert "Statement for February 2026" in issued.content.decode()
    statement = partnership.statements.get()
    response = client.get(reverse("partners:statement-csv", args=[statement.code]))
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][4] == str(referral.code)
    assert rows[-1][-1] == "150.00"


def test_issued_statement_page_shows_the_cap_in_constant_queries(
    login,
    partnership,
    clinic,
    supervisor,
    manager,
    in_february,
    django_assert_max_num_queries,
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="1000.00",
        cap_per_month="2500.00",
    )
    for _ in range(4):
        accepted_referral(partnership, clinic, supervisor)
    in_february.move_to("2026-03-02 18:00:00+00:00")
    statement = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=FEBRUARY
    )
    client = login(supervisor)
    url = reverse("partners:statement-detail", args=[statement.code])
    # session, user, navigation organization, statement (partnership, agreement
    # and issuer joined), its totals per method, its lines counted and the
    # page of them (referral, pathway, patient joined), the access record of
    # the patients shown, then the session save (savepoint, update, release)
    with django_assert_max_num_queries(11):
        response = client.get(url)
    content = response.content.decode()
    assert "$4,000.00" in content
    assert "−$1,500.00" in content
    assert "$2,500.00" in content


def test_statement_csv_asks_for_the_password_again(
    login, partnership, clinic, supervisor, manager, in_february
):
    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    accepted_referral(partnership, clinic, supervisor)
    in_february.move_to("2026-03-02 18:00:00+00:00")
    statements.statement_issue(
        actor=manager, partnership=partnership, period_start=FEBRUARY
    )
    statement = partnership.statements.get()
    response = login(manager).get(
        reverse("partners:statement-csv", args=[statement.code])
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
