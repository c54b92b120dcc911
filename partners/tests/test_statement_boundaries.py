"""Monthly statements at their edges: the month's first and last moments in the
partnership's time zone, the cap exactly reached, entered-in-error referrals, which
agreement applies, late records after an issued statement, and the CSV."""

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from partners import services, statements
from partners.models import BillingMethod, Contract, StatementLine
from partners.statements import (
    month_bounds,
    payment_agreement_for,
    statement_compute,
    statement_csv,
)
from partners.tests.partnership_builders import (
    accepted_referral,
    approved_pathway,
    food_and_housing_pathways,
    payment_agreement,
)
from referrals.services import workflow

FEBRUARY = datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)
# Neither UTC nor the server's default zone (Los Angeles), so a month cut in
# either of those shows.
EASTERN = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def partnership(partnership):
    partnership.time_zone = "America/New_York"
    partnership.save()
    return partnership


@pytest.fixture
def clock(time_machine):
    time_machine.move_to("2026-02-10 18:00:00+00:00")
    return time_machine


def at(clock, moment):
    clock.move_to(moment)


def eastern(*args):
    return datetime.datetime(*args, tzinfo=EASTERN)


def enter_in_error(referral, clinic_user):
    return workflow.referral_transition(
        referral=referral,
        actor=clinic_user,
        name="enter_in_error",
        reason_code="wrong_patient",
    )


def issue(manager, partnership, month):
    return statements.statement_issue(
        actor=manager, partnership=partnership, period_start=month
    )


# Entered in error: never billed, by any method.


def test_an_entered_in_error_referral_earns_no_acceptance_fee(
    partnership, clinic, clinic_user, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    kept = accepted_referral(partnership, clinic, supervisor)
    enter_in_error(accepted_referral(partnership, clinic, supervisor), clinic_user)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.referral for line in draft.lines] == [kept]
    assert draft.total == Decimal("150.00")


def test_an_approved_pathway_of_an_entered_in_error_referral_is_not_billed(
    partnership, clinic, clinic_user, supervisor, navigator, manager, clock
):
    payment_agreement(partnership, manager, rates={"food_security": "350.00"})
    kept = approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    wrong = approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    enter_in_error(wrong.referral, clinic_user)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.pathway for line in draft.lines] == [kept]
    assert draft.total == Decimal("350.00")


def test_a_patient_whose_only_referral_was_entered_in_error_is_not_billed_enrolled(
    partnership, clinic, clinic_user, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_enrolled_patient_month="75.00")
    kept = accepted_referral(partnership, clinic, supervisor)
    enter_in_error(accepted_referral(partnership, clinic, supervisor), clinic_user)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.patient for line in draft.lines] == [kept.patient]
    assert draft.total == Decimal("75.00")


def test_a_patient_enrolled_again_is_billed_through_the_valid_referral(
    partnership, clinic, clinic_user, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_enrolled_patient_month="75.00")
    wrong = enter_in_error(
        accepted_referral(partnership, clinic, supervisor), clinic_user
    )
    valid = accepted_referral(partnership, clinic, supervisor, patient=wrong.patient)
    [line] = statement_compute(partnership=partnership, period_start=FEBRUARY).lines
    assert line.referral == valid


def test_an_entered_in_error_referral_is_not_on_the_issued_statement_nor_its_csv(
    reauthenticated,
    partnership,
    clinic,
    clinic_user,
    supervisor,
    navigator,
    manager,
    clock,
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="50.00",
        rates={"food_security": "300.00"},
    )
    wrong = approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    ).referral
    enter_in_error(wrong, clinic_user)
    at(clock, "2026-03-02 18:00:00+00:00")
    statement = issue(manager, partnership, FEBRUARY)
    assert statement.total == Decimal("0.00")
    assert not StatementLine.objects.filter(referral=wrong).exists()
    client = reauthenticated(manager)
    response = client.get(reverse("partners:statement-csv", args=[statement.code]))
    content = b"".join(response.streaming_content).decode()
    assert str(wrong.code) not in content
    assert wrong.patient.mrn not in content
    # Nor on any later month.
    assert statement_compute(partnership=partnership, period_start=MARCH).lines == []


# The month runs from its first to its last moment in the partnership's time zone.


def accepted_at(clock, moment, partnership, clinic, supervisor, **fields):
    clock.move_to(moment)
    return accepted_referral(partnership, clinic, supervisor, **fields)


def test_a_referral_accepted_in_the_last_moment_of_the_month_is_billed_that_month(
    partnership, clinic, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    # 23:59 in New York on 28 February is already 1 March in UTC, and midnight
    # on 1 March there is still 28 February in Los Angeles.
    last = accepted_at(
        clock, eastern(2026, 2, 28, 23, 59, 59), partnership, clinic, supervisor
    )
    first_of_march = accepted_at(
        clock, eastern(2026, 3, 1, 0, 0), partnership, clinic, supervisor
    )
    february = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.referral for line in february.lines] == [last]
    assert february.lines[0].earned_on == datetime.date(2026, 2, 28)
    clock.move_to("2026-03-02 18:00:00+00:00")
    issue(manager, partnership, FEBRUARY)
    march = statement_compute(partnership=partnership, period_start=MARCH)
    assert [line.referral for line in march.lines] == [first_of_march]
    assert march.lines[0].earned_on == datetime.date(2026, 3, 1)


def test_a_referral_accepted_before_the_agreement_took_effect_is_not_billed(
    partnership, clinic, supervisor, manager, clock
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="150.00",
        effective_on=FEBRUARY,
    )
    accepted_at(
        clock, eastern(2026, 1, 31, 23, 59, 59), partnership, clinic, supervisor
    )
    first = accepted_at(
        clock, eastern(2026, 2, 1, 0, 0), partnership, clinic, supervisor
    )
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [line.referral for line in draft.lines] == [first]
    assert draft.lines[0].earned_on == FEBRUARY


def test_an_acceptance_of_an_earlier_month_not_yet_billed_lands_on_this_one(
    partnership, clinic, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_accepted_referral="150.00")
    january = accepted_at(
        clock, eastern(2026, 1, 20, 9, 0), partnership, clinic, supervisor
    )
    clock.move_to("2026-02-10 18:00:00+00:00")
    february = accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    # Oldest first, each with the day it was earned.
    assert [(line.referral, line.earned_on) for line in draft.lines] == [
        (january, datetime.date(2026, 1, 20)),
        (february, datetime.date(2026, 2, 10)),
    ]
    assert all(line.period_start == FEBRUARY for line in draft.lines)


def test_a_month_is_issued_only_once_it_has_ended_in_the_partnerships_time_zone(
    partnership, manager, clock
):
    from django.core.exceptions import ValidationError

    payment_agreement(
        partnership, manager, funded_ftes="1.00", monthly_rate_per_fte="10.00"
    )
    # 1 March 04:59 UTC is still 28 February in New York.
    clock.move_to(eastern(2026, 2, 28, 23, 59, 59))
    with pytest.raises(ValidationError):
        issue(manager, partnership, FEBRUARY)
    clock.move_to(eastern(2026, 3, 1, 0, 0))
    assert issue(manager, partnership, FEBRUARY).total == Decimal("10.00")


def test_month_bounds_are_local_midnights():
    start, end = month_bounds(FEBRUARY, "America/New_York")
    assert start == eastern(2026, 2, 1, 0, 0)
    assert end == eastern(2026, 3, 1, 0, 0)
    december = month_bounds(datetime.date(2025, 12, 1), "Europe/Paris")
    assert december[1] == datetime.datetime(
        2026, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")
    )


def test_an_approved_pathway_at_the_months_edges(
    partnership, clinic, supervisor, navigator, manager, clock
):
    payment_agreement(
        partnership, manager, rates={"food_security": "300.00"}, effective_on=FEBRUARY
    )
    referrals = [accepted_referral(partnership, clinic, supervisor) for _ in range(3)]
    clock.move_to(eastern(2026, 1, 31, 23, 59, 59))
    approved_pathway(referrals[0], supervisor, navigator)
    clock.move_to(eastern(2026, 2, 1, 0, 0))
    first = approved_pathway(referrals[1], supervisor, navigator)
    clock.move_to(eastern(2026, 3, 1, 0, 0))
    approved_pathway(referrals[2], supervisor, navigator)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert [(line.pathway, line.earned_on) for line in draft.lines] == [
        (first, FEBRUARY)
    ]
    assert draft.lines[0].description == "Food security pathway approved"


# Enrolled patients: a referral open at any moment of the month.


def cancelled_at(clock, moment, referral, clinic_user):
    clock.move_to(moment)
    return workflow.referral_transition(
        referral=referral,
        actor=clinic_user,
        name="cancel",
        reason_code="no_longer_needed",
    )


def test_a_referral_closed_at_the_first_moment_of_the_month_enrols_for_that_month(
    partnership, clinic, clinic_user, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_enrolled_patient_month="75.00")
    clock.move_to("2026-01-10 18:00:00+00:00")
    closed_in_january = accepted_referral(partnership, clinic, supervisor)
    closed_on_first = accepted_referral(partnership, clinic, supervisor)
    open_referral = accepted_referral(partnership, clinic, supervisor)
    cancelled_at(
        clock, eastern(2026, 1, 31, 23, 59, 59), closed_in_january, clinic_user
    )
    cancelled_at(clock, eastern(2026, 2, 1, 0, 0), closed_on_first, clinic_user)
    late = accepted_at(
        clock, eastern(2026, 2, 28, 23, 59, 59), partnership, clinic, supervisor
    )
    accepted_at(clock, eastern(2026, 3, 1, 0, 0), partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert {line.patient for line in draft.lines} == {
        closed_on_first.patient,
        open_referral.patient,
        late.patient,
    }
    assert {line.earned_on for line in draft.lines} == {FEBRUARY}
    assert {line.description for line in draft.lines} == {
        "Patient enrolled during the month"
    }
    assert draft.total == Decimal("225.00")


def test_an_enrolled_patient_is_billed_again_the_next_month_but_once_a_month(
    partnership, clinic, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_enrolled_patient_month="75.00")
    referral = accepted_referral(partnership, clinic, supervisor)
    clock.move_to("2026-04-02 18:00:00+00:00")
    february = issue(manager, partnership, FEBRUARY)
    assert february.lines.get().patient == referral.patient
    march = statement_compute(partnership=partnership, period_start=MARCH)
    assert [line.patient for line in march.lines] == [referral.patient]
    assert march.total == Decimal("75.00")


def test_an_enrolled_patients_line_names_the_first_valid_referral(
    partnership, clinic, supervisor, manager, clock
):
    payment_agreement(partnership, manager, fee_per_enrolled_patient_month="75.00")
    first = accepted_referral(partnership, clinic, supervisor)
    accepted_referral(partnership, clinic, supervisor, patient=first.patient)
    [line] = statement_compute(partnership=partnership, period_start=FEBRUARY).lines
    assert line.referral == first
    assert line.patient == first.patient


# The cap and the staffing lines.


def test_a_cap_exactly_reached_takes_nothing_off(
    login, partnership, clinic, supervisor, manager, clock
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="150.00",
        cap_per_month="300.00",
    )
    accepted_referral(partnership, clinic, supervisor)
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert (draft.subtotal, draft.total, draft.cap_reduction) == (
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("0.00"),
    )
    url = reverse("partners:statements", args=[partnership.code])
    content = login(manager).get(url, {"month": "2026-02"}).content.decode()
    assert "Cap per month ($300.00)" in content
    assert "not reached" in content


def test_a_cap_exceeded_by_a_cent_takes_the_cent_off(partnership, manager, clock):
    payment_agreement(
        partnership,
        manager,
        funded_ftes="1.00",
        monthly_rate_per_fte="1000.01",
        cap_per_month="1000.00",
    )
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.cap == Decimal("1000.00")
    assert draft.total == Decimal("1000.00")
    assert draft.cap_reduction == Decimal("0.01")


def test_without_a_cap_the_total_is_the_subtotal(partnership, manager, clock):
    payment_agreement(
        partnership, manager, funded_ftes="2.00", monthly_rate_per_fte="4000.00"
    )
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.cap is None
    assert draft.total == draft.subtotal == Decimal("8000.00")


def test_fractional_ftes_are_billed_to_the_cent(partnership, manager, clock):
    payment_agreement(
        partnership, manager, funded_ftes="0.75", monthly_rate_per_fte="3333.33"
    )
    [line] = statement_compute(partnership=partnership, period_start=FEBRUARY).lines
    assert (line.quantity, line.unit_amount, line.amount) == (
        Decimal("0.75"),
        Decimal("3333.33"),
        Decimal("2500.00"),
    )
    assert line.description == "Funded navigator FTEs for the month"
    assert line.earned_on == FEBRUARY


def test_no_staffing_line_without_funded_ftes_or_without_a_rate(
    partnership, manager, clock
):
    agreement = payment_agreement(
        partnership, manager, funded_ftes="0.00", monthly_rate_per_fte="4000.00"
    )
    assert statement_compute(partnership=partnership, period_start=FEBRUARY).lines == []
    services.contract_save(
        actor=manager,
        partnership=partnership,
        contract=agreement,
        data={"funded_ftes": Decimal("1.00"), "monthly_rate_per_fte": None},
    )
    assert statement_compute(partnership=partnership, period_start=FEBRUARY).lines == []


# Rates per pathway kind, from the agreement that applies.


def test_each_pathway_kind_earns_its_own_rate(
    partnership, clinic, supervisor, navigator, manager, clock
):
    # A draft's rates, entered first, are not the signed agreement's.
    payment_agreement(
        partnership,
        manager,
        rates={"food_security": "999.00", "housing": "999.00"},
        status=Contract.Status.DRAFT,
    )
    payment_agreement(
        partnership,
        manager,
        rates={"food_security": "300.00", "housing": "450.00"},
    )
    food_and_housing_pathways(partnership, clinic, supervisor, navigator)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert sorted((line.pathway.kind, line.amount) for line in draft.lines) == [
        ("food_security", Decimal("300.00")),
        ("housing", Decimal("450.00")),
    ]
    assert draft.totals_by_method == [
        (BillingMethod.APPROVED_PATHWAY.label, 2, Decimal("750.00"))
    ]


# The CSV holds the same lines and totals as the page.


def test_the_csv_lists_every_line_with_what_earned_it_then_the_totals(
    reauthenticated, partnership, clinic, supervisor, navigator, manager, clock
):
    from referrals.tests.factories import PatientFactory

    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        rates={"food_security": "300.00"},
        fee_per_enrolled_patient_month="40.00",
        funded_ftes="0.50",
        monthly_rate_per_fte="2000.00",
        cap_per_month="1300.00",
    )
    patient = PatientFactory(health_system=partnership.health_system, mrn="A-17")
    referral = accepted_referral(partnership, clinic, supervisor, patient=patient)
    pathway = approved_pathway(referral, supervisor, navigator)
    clock.move_to("2026-03-02 18:00:00+00:00")
    statement = issue(manager, partnership, FEBRUARY)
    client = reauthenticated(manager)
    response = client.get(reverse("partners:statement-csv", args=[statement.code]))
    assert response["Content-Disposition"] == (
        'attachment; filename="statement-2026-02.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "Month",
            "Method",
            "Description",
            "Earned on",
            "Referral",
            "Pathway",
            "Patient MRN",
            "Quantity",
            "Rate",
            "Amount",
        ],
        [
            "2026-02",
            "Fee per accepted referral",
            "Referral accepted",
            "2026-02-10",
            str(referral.code),
            "",
            "A-17",
            "1.00",
            "100.00",
            "100.00",
        ],
        [
            "2026-02",
            "Fee per approved completed pathway",
            "Food security pathway approved",
            "2026-02-10",
            str(referral.code),
            str(pathway.code),
            "A-17",
            "1.00",
            "300.00",
            "300.00",
        ],
        [
            "2026-02",
            "Monthly fee per enrolled patient",
            "Patient enrolled during the month",
            "2026-02-01",
            str(referral.code),
            "",
            "A-17",
            "1.00",
            "40.00",
            "40.00",
        ],
        [
            "2026-02",
            "Funded navigator FTEs",
            "Funded navigator FTEs for the month",
            "2026-02-01",
            "",
            "",
            "",
            "0.50",
            "2000.00",
            "1000.00",
        ],
        [],
        ["", "", "Subtotal", "", "", "", "", "", "", "1440.00"],
        ["", "", "Cap per month", "", "", "", "", "", "", "1300.00"],
        ["", "", "Total due", "", "", "", "", "", "", "1300.00"],
    ]


def test_the_csv_has_no_cap_row_without_a_cap(
    reauthenticated, partnership, manager, clock
):
    payment_agreement(
        partnership, manager, funded_ftes="1.00", monthly_rate_per_fte="900.00"
    )
    clock.move_to("2026-03-02 18:00:00+00:00")
    statement = issue(manager, partnership, FEBRUARY)
    client = reauthenticated(manager)
    response = client.get(reverse("partners:statement-csv", args=[statement.code]))
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[2] for row in rows[-2:]] == ["Subtotal", "Total due"]
    assert "Cap per month" not in content


@pytest.mark.parametrize("mrn", ["=1+2", "+15", "-3", "@SUM(A1)"])
def test_a_medical_record_number_cannot_run_as_a_spreadsheet_formula(
    partnership, clinic, supervisor, manager, clock, mrn
):
    from referrals.tests.factories import PatientFactory

    payment_agreement(partnership, manager, fee_per_accepted_referral="100.00")
    patient = PatientFactory(health_system=partnership.health_system, mrn=mrn)
    accepted_referral(partnership, clinic, supervisor, patient=patient)
    clock.move_to("2026-03-02 18:00:00+00:00")
    statement = issue(manager, partnership, FEBRUARY)
    text = "".join(statement_csv(statement=statement, lines=statement.lines.all()))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][6] == f"'{mrn}"


def test_a_plain_medical_record_number_is_written_as_is(
    partnership, clinic, supervisor, manager, clock
):
    from referrals.tests.factories import PatientFactory

    payment_agreement(partnership, manager, fee_per_accepted_referral="100.00")
    patient = PatientFactory(health_system=partnership.health_system, mrn="7=A")
    accepted_referral(partnership, clinic, supervisor, patient=patient)
    clock.move_to("2026-03-02 18:00:00+00:00")
    statement = issue(manager, partnership, FEBRUARY)
    text = "".join(statement_csv(statement=statement, lines=statement.lines.all()))
    assert list(csv.reader(io.StringIO(text)))[1][6] == "7=A"


def test_the_page_counts_the_lines_of_each_method(
    login, partnership, clinic, supervisor, manager, clock
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="150.00",
        funded_ftes="1.00",
        monthly_rate_per_fte="1000.00",
    )
    accepted_referral(partnership, clinic, supervisor)
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.totals_by_method == [
        (BillingMethod.ACCEPTED_REFERRAL.label, 2, Decimal("300.00")),
        (BillingMethod.NAVIGATOR_FTE.label, 1, Decimal("1000.00")),
    ]
    url = reverse("partners:statements", args=[partnership.code])
    content = login(manager).get(url, {"month": "2026-02"}).content.decode()
    assert "(2 lines)" in content
    assert "(1 line)" in content


# Which agreement a month is billed under.


def agreement(partnership, manager, **terms):
    return payment_agreement(
        partnership, manager, fee_per_accepted_referral="100.00", **terms
    )


def test_only_a_signed_payment_agreement_bills(partnership, manager, clock):
    agreement(partnership, manager, status=Contract.Status.DRAFT)
    agreement(partnership, manager, kind=Contract.Kind.SERVICE)
    agreement(partnership, manager, status=Contract.Status.EXPIRED)
    assert payment_agreement_for(partnership=partnership, period_start=FEBRUARY) is None


def test_an_agreement_starting_next_month_does_not_cover_this_one(
    partnership, manager, clock
):
    agreement(partnership, manager, effective_on=MARCH)
    assert payment_agreement_for(partnership=partnership, period_start=FEBRUARY) is None
    late_starter = agreement(
        partnership, manager, effective_on=datetime.date(2026, 2, 28)
    )
    assert (
        payment_agreement_for(partnership=partnership, period_start=FEBRUARY)
        == late_starter
    )


def test_an_agreement_ending_on_the_months_first_day_still_covers_it(
    partnership, manager, clock
):
    agreement(partnership, manager, ends_on=datetime.date(2026, 1, 31))
    assert payment_agreement_for(partnership=partnership, period_start=FEBRUARY) is None
    last_day = agreement(partnership, manager, ends_on=FEBRUARY)
    assert (
        payment_agreement_for(partnership=partnership, period_start=FEBRUARY)
        == last_day
    )


def test_the_latest_agreement_to_start_applies_and_its_rates(
    partnership, clinic, supervisor, navigator, manager, clock
):
    # Entered first, starting later: the start decides, not the order of entry.
    newer = payment_agreement(
        partnership,
        manager,
        rates={"food_security": "250.00"},
        effective_on=datetime.date(2026, 1, 15),
    )
    payment_agreement(partnership, manager, rates={"food_security": "999.00"})
    approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    draft = statement_compute(partnership=partnership, period_start=FEBRUARY)
    assert draft.contract == newer
    assert draft.total == Decimal("250.00")


def test_of_two_agreements_starting_the_same_day_the_later_one_applies(
    partnership, manager, clock
):
    agreement(partnership, manager)
    second = agreement(partnership, manager)
    assert (
        payment_agreement_for(partnership=partnership, period_start=FEBRUARY) == second
    )


def test_a_month_given_by_any_day_is_the_whole_month(
    partnership, clinic, supervisor, manager, clock
):
    agreement(partnership, manager)
    accepted_referral(partnership, clinic, supervisor)
    draft = statement_compute(
        partnership=partnership, period_start=datetime.date(2026, 2, 17)
    )
    assert draft.period_start == FEBRUARY
    assert [line.period_start for line in draft.lines] == [FEBRUARY]


# Only this partnership's records, each billed once per method.


def test_another_partnerships_records_and_agreement_are_not_billed_here(
    partnership, other_partnership, outsiders, manager, clock
):
    from partners.models import User
    from partners.tests.factories import UserFactory

    other_manager = UserFactory(
        role=User.Role.PROGRAM_MANAGER, organization=other_partnership.health_system
    )
    payment_agreement(
        other_partnership,
        other_manager,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="50.00",
        rates={"food_security": "300.00"},
    )
    assert payment_agreement_for(partnership=partnership, period_start=FEBRUARY) is None
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="50.00",
        rates={"food_security": "300.00"},
    )
    supervisor = outsiders[User.Role.SUPERVISOR]
    approved_pathway(
        accepted_referral(
            other_partnership,
            outsiders[User.Role.CLINIC_STAFF].site,
            supervisor,
        ),
        supervisor,
        outsiders[User.Role.NAVIGATOR],
    )
    assert statement_compute(partnership=partnership, period_start=FEBRUARY).lines == []
    other = statement_compute(partnership=other_partnership, period_start=FEBRUARY)
    assert other.total == Decimal("450.00")


def test_a_fee_added_to_the_agreement_later_bills_acceptances_billed_otherwise(
    partnership, clinic, supervisor, manager, clock
):
    contract = payment_agreement(
        partnership, manager, fee_per_enrolled_patient_month="75.00"
    )
    referral = accepted_referral(partnership, clinic, supervisor)
    clock.move_to("2026-03-02 18:00:00+00:00")
    issue(manager, partnership, FEBRUARY)
    services.contract_save(
        actor=manager,
        partnership=partnership,
        contract=contract,
        data={"fee_per_accepted_referral": Decimal("150.00")},
    )
    march = statement_compute(partnership=partnership, period_start=MARCH)
    assert sorted((line.method, line.referral) for line in march.lines) == [
        (BillingMethod.ACCEPTED_REFERRAL, referral),
        (BillingMethod.ENROLLED_PATIENT, referral),
    ]
    assert march.total == Decimal("225.00")


def test_a_pathway_approved_after_another_was_billed_goes_on_the_next_statement(
    partnership, clinic, supervisor, navigator, manager, clock
):
    payment_agreement(partnership, manager, rates={"food_security": "300.00"})
    approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    clock.move_to("2026-03-02 18:00:00+00:00")
    issue(manager, partnership, FEBRUARY)
    second = approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    march = statement_compute(partnership=partnership, period_start=MARCH)
    assert [line.pathway for line in march.lines] == [second]


def test_lines_are_in_the_order_they_were_earned_not_entered(
    partnership, clinic, supervisor, navigator, manager, clock
):
    from referrals.tests.factories import ReferralFactory

    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        rates={"food_security": "300.00", "housing": "400.00"},
    )
    sent_first = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        social_needs=["food-insecurity", "housing-instability"],
    )
    sent_second = accepted_referral(partnership, clinic, supervisor)
    clock.move_to("2026-02-11 18:00:00+00:00")
    accepted_later = workflow.referral_transition(
        referral=sent_first, actor=supervisor, name="accept"
    )
    from referrals.services import assignment, pathways

    accepted_later = assignment.referral_assign(
        referral=accepted_later, actor=supervisor, navigator=navigator
    )
    food = pathways.pathway_open(
        referral=accepted_later, actor=navigator, need="food-insecurity", goal="Fed"
    )
    housing = pathways.pathway_open(
        referral=accepted_later,
        actor=navigator,
        need="housing-instability",
        goal="Housed",
    )
    for pathway in (food, housing):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=True, note="Ok"
        )
    pathways.pathway_review(pathway=housing, actor=supervisor, approve=True)
    clock.move_to("2026-02-12 18:00:00+00:00")
    pathways.pathway_review(pathway=food, actor=supervisor, approve=True)
    lines = statement_compute(partnership=partnership, period_start=FEBRUARY).lines
    assert [(line.method, line.referral, line.pathway) for line in lines] == [
        (BillingMethod.ACCEPTED_REFERRAL, sent_second, None),
        (BillingMethod.ACCEPTED_REFERRAL, accepted_later, None),
        (BillingMethod.APPROVED_PATHWAY, accepted_later, housing),
        (BillingMethod.APPROVED_PATHWAY, accepted_later, food),
    ]


def test_the_months_page_lists_its_lines_in_constant_queries(
    login,
    partnership,
    clinic,
    supervisor,
    navigator,
    manager,
    clock,
    django_assert_max_num_queries,
):
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="50.00",
        rates={"food_security": "300.00"},
    )
    for _ in range(4):
        approved_pathway(
            accepted_referral(partnership, clinic, supervisor), supervisor, navigator
        )
    client = login(manager)
    url = reverse("partners:statements", args=[partnership.code])
    # session, user, partnership, agreement, whether every issued statement is
    # marked, its pathway rates, the count and amount of each method (three),
    # the page's accepted referrals (patient joined), approved pathways
    # (referral and patient joined) and enrolled patients' first referrals
    # (patient joined), issued statements, this month's, navigation
    # organization, the access record of the patients shown, then the session
    # save (savepoint, update, release)
    with django_assert_max_num_queries(19):
        response = client.get(url, {"month": "2026-02"})
    assert "$1,800.00" in response.content.decode()
