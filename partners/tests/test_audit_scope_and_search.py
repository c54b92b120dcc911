"""The audit log at its edges: which requests leave which record, whose audit trail a
supervisor or manager may open and what it gathers, and the administrators' search
and exports by person, patient and dates."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from chwlink.lib.models import AccessRecord
from partners import audit
from partners.access import Role
from partners.tests.factories import UserFactory
from partners.tests.partnership_builders import accepted_referral, approved_pathway
from referrals.models import Referral
from referrals.tests.factories import PatientFactory, ReferralFactory

Action = AccessRecord.Action


def records():
    return list(
        AccessRecord.objects.order_by("pk").values_list(
            "object_type", "object_code", "action"
        )
    )


# Which requests are recorded, and how.


def test_a_form_sent_back_with_errors_is_recorded_as_a_read(
    login, clinic_user, partnership, clinic
):
    # The page shown again still shows the patient.
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    url = reverse("referrals:patient-edit", args=[referral.patient.code])
    response = login(clinic_user).post(url, {"first_name": ""})
    assert response.status_code == 200
    assert records() == [("patient", referral.patient.code, Action.VIEW)]


def test_a_head_request_of_a_record_is_a_read(login, supervisor, partnership, clinic):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    login(supervisor).head(reverse("referrals:referral-detail", args=[referral.code]))
    assert records() == [("referral", referral.code, Action.VIEW)]


def test_a_redirect_from_an_audited_page_is_not_a_read(
    login, supervisor, partnership, clinic
):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    url = reverse("referrals:referral-edit", args=[referral.code])
    response = login(supervisor).get(url)
    assert response.status_code in (302, 403)
    assert records() == []


@pytest.mark.parametrize(
    ("person", "url_name", "object_type"),
    [
        ("manager", "partners:statement-detail", "statement"),
        ("supervisor", "partners:partnership-detail", "partnership"),
        ("supervisor", "referrals:pathway-detail", "pathway"),
        ("navigator", "evaluation:pam-new", "patient"),
        ("navigator", "referrals:encounter-new", "referral"),
    ],
)
def test_a_refused_request_names_the_kind_of_record_asked_for(
    request, login, person, url_name, object_type
):
    import uuid

    code = uuid.uuid4()
    user = request.getfixturevalue(person)
    response = login(user).get(reverse(url_name, args=[code]))
    assert response.status_code == 404
    assert records() == [(object_type, code, Action.DENIED)]


def test_a_404_on_a_page_naming_no_record_is_not_recorded(login, supervisor):
    response = login(supervisor).get("/no-such-page/")
    assert response.status_code == 404
    assert records() == []


def test_a_long_address_is_cut_to_fit(login, supervisor, partnership, clinic):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    url = reverse("referrals:referral-detail", args=[referral.code])
    login(supervisor).get(url, {"tab": "timeline" + "x" * 600})
    assert AccessRecord.objects.get().path == url


# Whose trail a supervisor or manager may open.


def audit_page(client, patient, **query):
    return client.get(reverse("partners:patient-audit", args=[patient.code]), query)


def test_a_manager_reads_the_trail_of_a_health_system_patient_never_referred(
    login, partnership, manager, supervisor
):
    patient = PatientFactory(health_system=partnership.health_system)
    assert audit_page(login(manager), patient).status_code == 200
    # The CBO knows only the patients referred to it.
    assert audit_page(login(supervisor), patient).status_code == 404


def test_a_supervisor_reads_the_trail_of_a_patient_referred_to_the_cbo(
    login, partnership, clinic, supervisor
):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    assert audit_page(login(supervisor), referral.patient).status_code == 200


def test_a_manager_of_another_health_system_cannot_read_the_trail(
    login, partnership, other_partnership
):
    patient = PatientFactory(health_system=partnership.health_system)
    stranger = UserFactory(
        role=Role.PROGRAM_MANAGER, organization=other_partnership.health_system
    )
    assert audit_page(login(stranger), patient).status_code == 404


def test_the_trail_gathers_reads_of_the_patient_their_referrals_and_pathways(
    login, client, partnership, clinic, supervisor, navigator, manager
):
    referral = accepted_referral(partnership, clinic, supervisor)
    pathway = approved_pathway(referral, supervisor, navigator)
    other = ReferralFactory(partnership=partnership, clinic=clinic)
    reader = login(navigator)
    reader.get(reverse("referrals:referral-detail", args=[referral.code]))
    reader.get(reverse("referrals:pathway-detail", args=[pathway.code]))
    reader.get(reverse("referrals:caseload"))
    login(supervisor).get(reverse("referrals:referral-detail", args=[other.code]))
    trail = audit.patient_audit_trail(referral.patient)
    assert sorted(
        (record.user, record.action, record.object_type) for record in trail["reads"]
    ) == sorted(
        [
            (navigator, Action.VIEW, "referral"),
            (navigator, Action.VIEW, "pathway"),
            (navigator, Action.LIST, "referral"),
        ]
    )
    changes = {event.pgh_obj_model for event in trail["changes"]}
    assert {"referrals.Referral", "referrals.Pathway"} <= changes
    assert all(
        event.pgh_obj_id != str(other.pk)
        for event in trail["changes"]
        if event.pgh_obj_model == "referrals.Referral"
    )


def test_the_changes_page_leaves_out_bookkeeping_fields(login, manager, partnership):
    referral = ReferralFactory(partnership=partnership)
    Referral.objects.filter(pk=referral.pk).update(
        notes_for_navigator="Evenings", version=7
    )
    response = audit_page(login(manager), referral.patient, show="changes")
    changed = [
        field for row in response.context["rows"] for field, *_ in row["changes"]
    ]
    assert "notes_for_navigator" in changed
    assert "version" not in changed
    assert "updated" not in changed


# The administrators' search and exports.


@pytest.fixture
def logged(login, client, partnership, clinic, supervisor, navigator, time_machine):
    """A supervisor's read on 9 March and a navigator's on 10 March (Los Angeles)."""
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    url = reverse("referrals:referral-detail", args=[referral.code])
    time_machine.move_to("2026-03-10 06:30:00+00:00")  # 9 March, 23:30 PDT
    login(supervisor).get(url)
    client.logout()
    time_machine.move_to("2026-03-10 07:30:00+00:00")  # 10 March, 00:30 PDT
    login(navigator).get(url)
    client.logout()
    return referral


def search(client, url_name="partners:audit-search", **query):
    return client.get(reverse(url_name), query)


def found(response):
    return [record.user.email for record in response.context["page_obj"]]


def test_searching_by_date_takes_whole_days_both_ends_included(
    login, administrator, supervisor, navigator, logged
):
    admin = login(administrator)
    assert found(search(admin, start="2026-03-10", end="2026-03-10")) == [
        navigator.email
    ]
    assert found(search(admin, end="2026-03-09")) == [supervisor.email]
    assert sorted(found(search(admin, start="2026-03-09"))) == sorted(
        [supervisor.email, navigator.email]
    )


def test_searching_by_a_patient_code_or_a_spaced_lowercase_mrn(
    login, administrator, partnership, clinic, supervisor, logged
):
    unrelated = ReferralFactory(partnership=partnership, clinic=clinic)
    login(supervisor).get(reverse("referrals:referral-detail", args=[unrelated.code]))
    admin = login(administrator)
    by_code = search(admin, patient=str(logged.patient.code))
    by_mrn = search(admin, patient=f" {logged.patient.mrn.lower()} ")
    assert len(found(by_code)) == 2
    assert found(by_code) == found(by_mrn)


def test_the_access_log_export_has_one_row_per_read(
    reauthenticated, login, administrator, supervisor, logged
):
    admin = reauthenticated(administrator)
    export = search(admin, "partners:audit-export", user=supervisor.email)
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == [
        "time",
        "user",
        "organization",
        "action",
        "record_type",
        "record",
        "records_shown",
        "ip_address",
        "request_id",
        "path",
    ]
    [row] = rows[1:]
    record = AccessRecord.objects.get(user=supervisor)
    assert row == [
        record.created.isoformat(),
        supervisor.email,
        supervisor.organization.name,
        "view",
        "referral",
        str(logged.code),
        "",
        "127.0.0.1",
        str(record.request_id),
        reverse("referrals:referral-detail", args=[logged.code]),
    ]


def test_the_access_log_export_lists_the_records_a_list_showed(
    reauthenticated, login, client, administrator, supervisor, partnership, clinic
):
    shown = ReferralFactory(partnership=partnership, clinic=clinic)
    login(supervisor).get(reverse("referrals:inbox"))
    client.logout()
    export = search(
        reauthenticated(administrator), "partners:audit-export", user=supervisor.email
    )
    [row] = list(csv.reader(io.StringIO(export.content.decode())))[1:]
    assert (row[3], row[5], row[6]) == ("list", "", str(shown.code))


def test_the_change_export_filters_by_dates_and_describes_each_change(
    reauthenticated, login, administrator, partnership, clinic, supervisor
):
    from django.utils import timezone

    # History rows take the database's clock, so the dates are today's.
    today = timezone.localdate()
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    login(supervisor).post(
        reverse("referrals:referral-transition", args=[referral.code, "accept"]),
        {"version": referral.version},
    )
    admin = reauthenticated(administrator)
    url = "partners:audit-changes-export"
    content = search(admin, url, start=today, end=today).content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == [
        "time",
        "user",
        "record_type",
        "record_id",
        "event",
        "url",
        "changes",
    ]
    [row] = [row for row in rows[1:] if "status: submitted -> accepted" in row[6]]
    assert row[1] == supervisor.email
    assert (row[2], row[3]) == ("referrals.Referral", str(referral.pk))
    assert row[5].endswith("/accept/")
    assert timezone.localdate(datetime.datetime.fromisoformat(row[0])) == today
    day = datetime.timedelta(days=1)
    assert "accepted" not in search(admin, url, end=today - day).content.decode()
    assert "accepted" not in search(admin, url, start=today + day).content.decode()


def test_a_supervisor_cannot_read_a_patient_never_referred_beside_referred_ones(
    login, partnership, clinic, supervisor
):
    ReferralFactory(partnership=partnership, clinic=clinic)
    never_referred = PatientFactory(health_system=partnership.health_system)
    assert audit_page(login(supervisor), never_referred).status_code == 404


def test_a_cbo_program_manager_reads_the_trail_of_a_patient_referred_to_the_cbo(
    login, partnership, clinic
):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    assert audit_page(login(cbo_manager), referral.patient).status_code == 200


def test_the_trail_gathers_reads_of_the_patients_stories_and_pam(
    login, partnership, supervisor, navigator
):
    import datetime as dt

    from evaluation.models import Story
    from evaluation.tests.factories import caseload_referral, pam_row

    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    other = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    client = login(navigator)
    for patient in (referral.patient, other.patient):
        client.post(
            reverse("evaluation:story-new", args=[patient.code]),
            {
                "title": "Back on my feet",
                "told_on": "2026-05-01",
                "language": "es",
                "domain": "housing",
                "text": "Found a home with help.",
                "consent_scope": "internal",
            },
        )
    story, other_story = (
        Story.objects.get(patient=p) for p in (referral.patient, other.patient)
    )
    pam = pam_row(
        patient=referral.patient,
        partnership=partnership,
        by=navigator,
        on=dt.date(2026, 5, 1),
    )
    client.get(reverse("evaluation:story-detail", args=[story.code]))
    client.get(reverse("evaluation:story-detail", args=[other_story.code]))
    client.get(reverse("evaluation:pam-detail", args=[pam.code]))
    reads = audit.patient_audit_trail(referral.patient)["reads"]
    read_codes = {record.object_code for record in reads}
    assert {story.code, pam.code} <= read_codes
    assert other_story.code not in read_codes


def test_the_changes_page_names_the_kind_of_record_changed(login, manager, partnership):
    referral = ReferralFactory(partnership=partnership)
    Referral.objects.filter(pk=referral.pk).update(notes_for_navigator="Evenings")
    response = audit_page(login(manager), referral.patient, show="changes")
    assert {row["record"] for row in response.context["rows"]} >= {"referral"}
    assert "Referral" in response.content.decode()


def test_the_change_export_by_person_and_by_patient(
    reauthenticated, login, administrator, partnership, clinic, supervisor
):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    other = ReferralFactory(partnership=partnership, clinic=clinic)
    for each in (referral, other):
        login(supervisor).post(
            reverse("referrals:referral-transition", args=[each.code, "accept"]),
            {"version": each.version},
        )
    admin = reauthenticated(administrator)
    url = "partners:audit-changes-export"
    by_person = search(admin, url, user=supervisor.email.upper()).content.decode()
    assert by_person.count("status: submitted -> accepted") == 2
    by_patient = list(
        csv.reader(
            io.StringIO(
                search(admin, url, patient=referral.patient.mrn).content.decode()
            )
        )
    )[1:]
    referral_ids = {row[3] for row in by_patient if row[2] == "referrals.Referral"}
    assert referral_ids == {str(referral.pk)}


def test_a_change_made_outside_a_request_has_no_person_and_no_address(
    reauthenticated, login, administrator, partnership
):
    referral = ReferralFactory(partnership=partnership)
    Referral.objects.filter(pk=referral.pk).update(
        notes_for_navigator="Evenings", status_reason="Seen"
    )
    content = search(
        reauthenticated(administrator),
        "partners:audit-changes-export",
        patient=referral.patient.mrn,
    ).content.decode()
    rows = [row for row in csv.reader(io.StringIO(content)) if "Evenings" in row[6]]
    [row] = rows
    assert (row[1], row[5]) == ("", "")
    assert "; " in row[6]
    assert "notes_for_navigator:" in row[6] and "status_reason:" in row[6]


def test_the_access_log_export_of_someone_of_no_organization_and_a_list(
    reauthenticated, login, client, partnership, clinic
):
    from chwlink.lib.models import AccessRecord as Record

    shown = ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)
    staff = UserFactory(role=Role.ADMINISTRATOR, organization=None, is_superuser=True)
    Record.objects.create(
        user=staff,
        object_type="referral",
        action=Action.LIST,
        shown_codes=[shown[0].code, shown[1].code],
        path="/referrals/",
    )
    export = search(reauthenticated(staff), "partners:audit-export", user=staff.email)
    [row] = list(csv.reader(io.StringIO(export.content.decode())))[1:]
    assert row[2] == ""
    assert row[6] == f"{shown[0].code} {shown[1].code}"


def test_a_refused_request_for_a_kind_not_named_is_recorded_as_other(login, supervisor):
    import uuid

    code = uuid.uuid4()
    response = login(supervisor).get(reverse("referrals:resource-detail", args=[code]))
    assert response.status_code == 404
    assert records() == [("other", code, Action.DENIED)]


def test_the_trail_holds_changes_to_the_patient_and_not_to_another(
    login, partnership, manager
):
    from referrals.models import Patient

    patient, other = PatientFactory.create_batch(
        2, health_system=partnership.health_system
    )
    Patient.objects.filter(pk__in=[patient.pk, other.pk]).update(phone="503-555-0199")
    changes = audit.patient_audit_trail(patient)["changes"]
    assert {(event.pgh_obj_model, event.pgh_obj_id) for event in changes} == {
        ("referrals.Patient", str(patient.pk))
    }


def test_the_change_export_by_patient_includes_their_pathways(
    reauthenticated, login, administrator, partnership, clinic, supervisor, navigator
):
    pathway = approved_pathway(
        accepted_referral(partnership, clinic, supervisor), supervisor, navigator
    )
    content = search(
        reauthenticated(administrator),
        "partners:audit-changes-export",
        patient=pathway.referral.patient.mrn,
    ).content.decode()
    rows = list(csv.reader(io.StringIO(content)))[1:]
    assert ("referrals.Pathway", str(pathway.pk)) in {(r[2], r[3]) for r in rows}
