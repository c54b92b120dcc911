"""The audit trail and its exports at their edges: changes made together are listed
newest first, a record of another kind that happens to share the patient's number
is not the patient's, a pathway's steps belong to its patient, reads of utilization
records count, and the CSVs write exactly what was recorded."""

import csv
import datetime
import io

import pghistory
from django.db import transaction
from django.urls import reverse

from chwlink.lib.models import AccessRecord
from evaluation.services.utilization import utilization_save
from partners import audit
from partners.access import Role
from partners.tests.factories import UserFactory
from partners.tests.partnership_builders import accepted_referral, approved_pathway
from referrals.models import Patient, Referral
from referrals.tests.factories import PatientFactory, ReferralFactory


def export(client, url_name, **query):
    content = client.get(reverse(url_name), query).content.decode()
    return list(csv.reader(io.StringIO(content)))[1:]


def test_changes_made_in_one_transaction_are_listed_newest_first(
    reauthenticated, login, administrator, partnership
):
    patient = PatientFactory(health_system=partnership.health_system)
    with transaction.atomic():
        for number in range(1, 6):
            Patient.objects.filter(pk=patient.pk).update(phone=f"503-555-010{number}")
    trail = audit.patient_audit_trail(patient)["changes"]
    phones = [event.pgh_data["phone"] for event in trail if event.pgh_label == "update"]
    assert phones == [f"+1503555010{n}" for n in range(5, 0, -1)]
    rows = export(
        reauthenticated(administrator),
        "partners:audit-changes-export",
        patient=patient.mrn,
    )
    assert [row[6].rpartition(" -> ")[2] for row in rows if row[4] == "update"] == [
        f"+1503555010{n}" for n in range(5, 0, -1)
    ]


def test_a_record_of_another_kind_numbered_like_the_patient_is_not_theirs(
    login, administrator, partnership
):
    patient = PatientFactory(health_system=partnership.health_system)
    other = PatientFactory(health_system=partnership.health_system)
    namesake = ReferralFactory(pk=patient.pk, partnership=partnership, patient=other)
    Referral.objects.filter(pk=namesake.pk).update(notes_for_navigator="Evenings")
    changes = audit.patient_audit_trail(patient)["changes"]
    assert {event.pgh_obj_model for event in changes} == {"referrals.Patient"}


def test_the_steps_of_a_patients_pathway_are_in_their_trail_and_export(
    reauthenticated, login, administrator, partnership, clinic, supervisor, navigator
):
    pathway = approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    patient = pathway.referral.patient
    kinds = {
        event.pgh_obj_model for event in audit.patient_audit_trail(patient)["changes"]
    }
    assert "referrals.PathwayStep" in kinds
    rows = export(
        reauthenticated(administrator),
        "partners:audit-changes-export",
        patient=patient.mrn,
    )
    assert "referrals.PathwayStep" in {row[2] for row in rows}


def test_a_read_of_a_patients_utilization_record_is_in_their_trail(
    login, partnership, manager
):
    patient, other = (
        ReferralFactory(partnership=partnership).patient for _ in range(2)
    )
    values = {"period": datetime.date(2026, 1, 1), "ed_visits": 0,
              "inpatient_admissions": 0, "hospital_days": 0,
              "readmissions_30d": 0, "primary_care_visits": 0}  # fmt: skip
    mine = utilization_save(actor=manager, patient=patient, values=values)
    theirs = utilization_save(actor=manager, patient=other, values=values)
    client = login(manager)
    for record in (mine, theirs):
        client.get(reverse("evaluation:utilization-edit", args=[record.code]))
    codes = {read.object_code for read in audit.patient_audit_trail(patient)["reads"]}
    assert mine.code in codes
    assert theirs.code not in codes


def test_the_change_export_separates_the_changes_of_one_event_with_a_semicolon(
    reauthenticated, login, administrator, partnership
):
    referral = ReferralFactory(
        partnership=partnership, notes_for_navigator="", status_reason=""
    )
    Referral.objects.filter(pk=referral.pk).update(
        notes_for_navigator="Evenings", status_reason="Seen"
    )
    rows = export(
        reauthenticated(administrator),
        "partners:audit-changes-export",
        patient=referral.patient.mrn,
    )
    [changes] = [row[6] for row in rows if "Evenings" in row[6]]
    assert changes == "notes_for_navigator:  -> Evenings; status_reason:  -> Seen"


def test_a_read_recorded_without_an_address_or_request_exports_them_empty(
    reauthenticated, login, administrator, partnership
):
    reader = UserFactory(role=Role.SUPERVISOR, organization=partnership.cbo)
    AccessRecord.objects.create(
        user=reader,
        organization=reader.organization,
        object_type="referral",
        object_code=ReferralFactory(partnership=partnership).code,
        action=AccessRecord.Action.VIEW,
        path="/referrals/",
    )
    [row] = export(
        reauthenticated(administrator), "partners:audit-export", user=reader.email
    )
    assert (row[7], row[8]) == ("", "")


def test_the_trail_page_queries_do_not_grow_with_the_people_in_it(
    login, partnership, supervisor, django_assert_max_num_queries
):
    referral = ReferralFactory(partnership=partnership)
    for number in range(5):
        person = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
        AccessRecord.objects.create(
            user=person,
            organization=person.organization,
            object_type="referral",
            object_code=referral.code,
            action=AccessRecord.Action.VIEW,
            path="/referrals/",
        )
        with pghistory.context(user=person.pk, url="/edit/"):
            Referral.objects.filter(pk=referral.pk).update(
                notes_for_navigator=f"Note {number}"
            )
    client = login(supervisor)
    url = reverse("partners:patient-audit", args=[referral.patient.code])
    for show in ("reads", "changes"):
        # session, user, patient, its referrals, pathways, other record codes,
        # count, page with people (and organizations), navigation's organization,
        # access record, session save in a savepoint (3)
        with django_assert_max_num_queries(13):
            response = client.get(url, {"show": show})
        assert len(response.context["rows"]) >= 5
