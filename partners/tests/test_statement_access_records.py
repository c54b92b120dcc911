"""Statements list patients with their medical record numbers: opening one (the
draft of the month or an issued statement) is in each listed patient's trail."""

import datetime

from django.urls import reverse

from chwlink.lib.models import AccessRecord
from partners import statements
from partners.audit import patient_audit_trail
from partners.tests.partnership_builders import (
    accepted_referral,
    approved_pathway,
    payment_agreement,
)

FEBRUARY = datetime.date(2026, 2, 1)


def test_opening_a_statement_records_the_patients_on_its_lines(
    login, partnership, clinic, supervisor, navigator, manager, time_machine
):
    time_machine.move_to("2026-02-10 18:00:00+00:00")
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="50.00",
        rates={"food_security": "300.00"},
    )
    referral = accepted_referral(partnership, clinic, supervisor)
    approved_pathway(referral, supervisor, navigator)
    patient = referral.patient
    client = login(manager)
    draft = reverse("partners:statements", args=[partnership.code])
    assert patient.mrn in client.get(draft, {"month": "2026-02"}).content.decode()

    time_machine.move_to("2026-03-02 18:00:00+00:00")
    statement = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=FEBRUARY
    )
    issued = reverse("partners:statement-detail", args=[statement.code])
    # Weeks later: a new session.
    assert patient.mrn in login(manager).get(issued).content.decode()

    reads = patient_audit_trail(patient)["reads"].filter(user=manager)
    for url in (draft, issued):
        record = AccessRecord.objects.get(path=url)
        assert patient.code in record.shown_codes
        assert reads.filter(pk=record.pk).exists()


def test_downloading_a_statement_records_every_patient_it_lists(
    reauthenticated, partnership, clinic, supervisor, manager, time_machine
):
    time_machine.move_to("2026-02-10 18:00:00+00:00")
    payment_agreement(partnership, manager, fee_per_accepted_referral="100.00")
    patients = [
        accepted_referral(partnership, clinic, supervisor).patient for _ in range(3)
    ]
    time_machine.move_to("2026-03-02 18:00:00+00:00")
    statement = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=FEBRUARY
    )
    url = reverse("partners:statement-csv", args=[statement.code])
    response = reauthenticated(manager).get(url)
    content = b"".join(response.streaming_content).decode()
    assert all(patient.mrn in content for patient in patients)
    record = AccessRecord.objects.get(path=url)
    assert set(record.shown_codes) == {patient.code for patient in patients}
