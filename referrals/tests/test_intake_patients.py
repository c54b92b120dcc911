"""Clinic staff find or register the patient; everyone reads the patient page
through their own scope."""

import datetime
import re
import uuid

import pytest

from referrals.models import Patient, Referral
from referrals.services.assignment import referral_assign
from referrals.tests import states
from referrals.tests.factories import PatientFactory, ReferralFactory

Status = Referral.Status


def patient_post(**changes):
    data = {
        "first_name": "Rosa",
        "last_name": "Campos",
        "date_of_birth": "1971-04-02",
        "mrn": "E-100234",
        "sex": "female",
        "preferred_language": "es",
        "phone": "503-555-0142",
        "city": "Portland",
    }
    data.update(changes)
    return data


@pytest.fixture
def patient(clinic_user):
    return PatientFactory(
        health_system=clinic_user.organization,
        first_name="Rosa",
        last_name="Campos",
        date_of_birth=datetime.date(1971, 4, 2),
        mrn="E-100234",
        phone="503-555-0142",
        address="12 SE Oak St",
        created_by=clinic_user,
    )


@pytest.fixture
def outsider_patient(outsiders):
    clinic_staff = outsiders["clinic_staff"]
    return PatientFactory(
        health_system=clinic_staff.organization,
        first_name="Olga",
        last_name="Outside",
        created_by=clinic_staff,
    )


# Search


def test_search_by_name_and_birth_date_links_to_refer_the_patient(
    login, clinic_user, patient
):
    response = login(clinic_user).post(
        "/referrals/new/",
        {"last_name": "camp", "date_of_birth": "1971-04-02"},
    )
    content = response.content.decode()
    assert "Campos, Rosa" in content
    assert f"/referrals/new/{patient.code}/" in content


def test_search_by_mrn_finds_the_patient(login, clinic_user, patient):
    response = login(clinic_user).post("/referrals/new/", {"mrn": "e-100234"})
    assert "Campos, Rosa" in response.content.decode()


def test_search_never_shows_another_health_system_patient(
    login, clinic_user, outsider_patient
):
    response = login(clinic_user).post(
        "/referrals/new/", {"last_name": "Outside", "first_name": "Olga"}
    )
    content = response.content.decode()
    assert "Outside, Olga" not in content
    assert "No patient of your health system matches" in content


def test_search_is_a_post_form_and_no_link_carries_the_name_or_birth_date(
    login, clinic_user
):
    client = login(clinic_user)
    assert 'method="post"' in client.get("/referrals/new/").content.decode()
    response = client.post(
        "/referrals/new/",
        {"last_name": "Campos", "first_name": "Rosa", "date_of_birth": "1971-04-02"},
    )
    links = re.findall(r'href="([^"]*)"', response.content.decode())
    assert "/referrals/patients/new/?from=search" in links
    assert not [link for link in links if "Campos" in link or "1971" in link]


def test_new_patient_form_is_prefilled_from_the_search(login, clinic_user):
    client = login(clinic_user)
    client.post(
        "/referrals/new/",
        {"last_name": "Campos", "first_name": "Rosa", "date_of_birth": "1971-04-02"},
    )
    form = client.get("/referrals/patients/new/?from=search").context["form"]
    assert form["last_name"].value() == "Campos"
    assert form["date_of_birth"].value() == "1971-04-02"
    plain = client.get("/referrals/patients/new/").context["form"]
    assert plain["last_name"].value() is None


def test_search_with_too_little_keeps_input_and_explains(login, clinic_user):
    response = login(clinic_user).post("/referrals/new/", {"last_name": "C"})
    content = response.content.decode()
    assert "Add the first name or the date of birth" in content
    assert 'value="C"' in content


def test_empty_search_explains_what_to_type(login, clinic_user):
    response = login(clinic_user).post("/referrals/new/", {})
    assert "Enter the medical record number" in response.content.decode()
    assert response.context["patients"] is None


# Create


def test_clinic_staff_register_a_patient_and_go_on_to_the_referral(login, clinic_user):
    response = login(clinic_user).post("/referrals/patients/new/", patient_post())
    patient = Patient.objects.get(mrn="E-100234")
    assert response.status_code == 302
    assert response.url == f"/referrals/new/{patient.code}/"
    assert patient.health_system == clinic_user.organization
    assert patient.created_by == clinic_user


def test_bad_patient_input_keeps_what_was_typed_and_saves_nothing(login, clinic_user):
    response = login(clinic_user).post(
        "/referrals/patients/new/",
        patient_post(date_of_birth="2999-01-01", do_not_contact="on"),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in content
    assert "Say how the patient can be reached safely" in content
    assert 'value="Campos"' in content
    assert 'value="503-555-0142"' in content
    assert not Patient.objects.exists()


def test_likely_duplicate_is_shown_before_creating(login, clinic_user, patient):
    response = login(clinic_user).post(
        "/referrals/patients/new/", patient_post(mrn="E-999", first_name="Rosita")
    )
    content = response.content.decode()
    assert "This patient may already be registered" in content
    assert f"/referrals/patients/{patient.code}/" in content
    assert f"/referrals/new/{patient.code}/" in content
    assert 'value="Rosita"' in content
    assert Patient.objects.count() == 1


def test_duplicate_warning_and_tick_survive_an_error_in_another_field(
    login, clinic_user, patient
):
    response = login(clinic_user).post(
        "/referrals/patients/new/",
        patient_post(mrn="E-999", different_person="on", do_not_contact="on"),
    )
    content = response.content.decode()
    assert "This patient may already be registered" in content
    assert response.context["form"]["different_person"].value() is True
    assert Patient.objects.count() == 1


def test_ticking_different_person_creates_the_patient(login, clinic_user, patient):
    response = login(clinic_user).post(
        "/referrals/patients/new/",
        patient_post(mrn="E-999", first_name="Rosita", different_person="on"),
    )
    assert response.status_code == 302
    assert Patient.objects.filter(first_name="Rosita").exists()


def test_duplicate_mrn_is_a_clear_field_error(login, clinic_user, patient):
    response = login(clinic_user).post(
        "/referrals/patients/new/",
        patient_post(first_name="Ana", last_name="Diaz", different_person="on"),
    )
    form = response.context["form"]
    assert form.errors["mrn"] == [
        "A patient with this medical record number already exists."
    ]
    assert Patient.objects.count() == 1


def test_same_mrn_in_another_health_system_is_fine(
    login, clinic_user, outsider_patient
):
    response = login(clinic_user).post(
        "/referrals/patients/new/", patient_post(mrn=outsider_patient.mrn)
    )
    assert response.status_code == 302


# Patient page


def test_patient_page_shows_demographics_contact_and_referrals(
    login, clinic_user, patient, partnership, clinic
):
    referral = ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    content = login(clinic_user).get(f"/referrals/patients/{patient.code}/")
    content = content.content.decode()
    assert "Rosa Campos" in content
    assert "503-555-0142" in content
    assert "12 SE Oak St" in content
    assert f"/referrals/{referral.code}/" in content
    assert "Submitted" in content
    assert "New referral for this patient" in content
    assert "Edit patient" in content


def test_do_not_contact_hides_phone_and_address_and_shows_the_safe_way(
    login, clinic_user, patient
):
    patient.do_not_contact = True
    patient.safe_contact_note = "Only through Dr. Lee at the clinic."
    patient.save()
    content = login(clinic_user).get(f"/referrals/patients/{patient.code}/")
    content = content.content.decode()
    assert "Only through Dr. Lee at the clinic." in content
    assert "503-555-0142" not in content
    assert "12 SE Oak St" not in content


def test_program_manager_sees_no_contact_details(
    login, manager, patient, partnership, clinic, clinic_user
):
    ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    response = login(manager).get(f"/referrals/patients/{patient.code}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "503-555-0142" not in content
    assert "12 SE Oak St" not in content
    assert "Edit patient" not in content


def test_navigator_sees_only_referrals_visible_to_them(
    login, navigator, supervisor, patient, partnership, clinic, clinic_user
):
    mine = ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    other = ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    referral_assign(referral=mine, actor=supervisor, navigator=navigator)
    content = login(navigator).get(f"/referrals/patients/{patient.code}/")
    content = content.content.decode()
    assert f"/referrals/{mine.code}/" in content
    assert f"/referrals/{other.code}/" not in content
    assert "New referral for this patient" not in content


def test_cbo_user_without_a_visible_referral_gets_404(login, navigator, patient):
    response = login(navigator).get(f"/referrals/patients/{patient.code}/")
    assert response.status_code == 404


def test_supervisor_does_not_reach_the_patient_through_a_draft(
    login, supervisor, patient, partnership, clinic, clinic_user
):
    states.draft_referral(clinic_user=clinic_user, patient=patient)
    response = login(supervisor).get(f"/referrals/patients/{patient.code}/")
    assert response.status_code == 404


def test_patient_page_query_budget(
    login, clinic_user, patient, partnership, clinic, django_assert_max_num_queries
):
    ReferralFactory.create_batch(
        30,
        partnership=partnership,
        clinic=clinic,
        patient=patient,
        referred_by=clinic_user,
    )
    client = login(clinic_user)
    # session, user, patient, referral count, one page of referrals (clinic,
    # partnership joined), the user's organization (navigation bar), and the
    # idle-timeout session save (savepoint, update, release), the access record:
    # 25 rows or 2500.
    with django_assert_max_num_queries(10):
        response = client.get(f"/referrals/patients/{patient.code}/")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 25


# Edit


def test_clinic_staff_correct_the_patient(login, clinic_user, patient):
    response = login(clinic_user).post(
        f"/referrals/patients/{patient.code}/edit/",
        patient_post(phone="503-555-0199", texts_ok="on"),
    )
    assert response.status_code == 302
    assert response.url == f"/referrals/patients/{patient.code}/"
    patient.refresh_from_db()
    assert patient.phone == "503-555-0199"
    assert patient.texts_ok is True


def test_edit_form_shows_the_current_record(login, clinic_user, patient):
    content = login(clinic_user).get(f"/referrals/patients/{patient.code}/edit/")
    content = content.content.decode()
    assert 'value="Campos"' in content
    assert 'value="1971-04-02"' in content


def test_editing_to_another_patients_mrn_is_refused_beside_the_field(
    login, clinic_user, patient
):
    PatientFactory(health_system=clinic_user.organization, mrn="E-555")
    response = login(clinic_user).post(
        f"/referrals/patients/{patient.code}/edit/", patient_post(mrn="e-555")
    )
    assert "mrn" in response.context["form"].errors
    patient.refresh_from_db()
    assert patient.mrn == "E-100234"


def test_edit_without_safe_contact_note_writes_nothing(login, clinic_user, patient):
    response = login(clinic_user).post(
        f"/referrals/patients/{patient.code}/edit/",
        patient_post(do_not_contact="on", phone="503-555-0000"),
    )
    assert "safe_contact_note" in response.context["form"].errors
    patient.refresh_from_db()
    assert patient.do_not_contact is False
    assert patient.phone == "503-555-0142"


# Access


@pytest.mark.parametrize("role", ["supervisor", "navigator", "program_manager"])
@pytest.mark.parametrize("url", ["/referrals/new/", "/referrals/patients/new/"])
def test_clinic_only_pages_refuse_other_roles(
    login, role, url, supervisor, navigator, manager
):
    user = {"supervisor": supervisor, "navigator": navigator}.get(role, manager)
    assert login(user).get(url).status_code == 403


@pytest.mark.parametrize(
    "role", ["clinic_staff", "supervisor", "navigator", "program_manager"]
)
@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_outsiders_get_404_on_our_patient(login, outsiders, patient, role, suffix):
    response = login(outsiders[role]).get(
        f"/referrals/patients/{patient.code}/{suffix}"
    )
    assert response.status_code == 404


def test_outsider_cannot_post_an_edit(login, outsiders, patient):
    response = login(outsiders["clinic_staff"]).post(
        f"/referrals/patients/{patient.code}/edit/", patient_post(first_name="X")
    )
    assert response.status_code == 404
    patient.refresh_from_db()
    assert patient.first_name == "Rosa"


def test_supervisor_seeing_the_patient_still_cannot_edit(
    login, supervisor, patient, partnership, clinic, clinic_user
):
    ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    client = login(supervisor)
    assert client.get(f"/referrals/patients/{patient.code}/").status_code == 200
    assert client.get(f"/referrals/patients/{patient.code}/edit/").status_code == 403


def test_unknown_patient_code_is_404(login, clinic_user):
    response = login(clinic_user).get(f"/referrals/patients/{uuid.uuid4()}/")
    assert response.status_code == 404


def test_the_same_person_typed_without_accents_is_stopped(login, clinic_user):
    PatientFactory(
        health_system=clinic_user.organization,
        first_name="María",
        last_name="Hernández",
        date_of_birth=datetime.date(1971, 4, 2),
        mrn="E-1",
        created_by=clinic_user,
    )
    response = login(clinic_user).post(
        "/referrals/patients/new/",
        patient_post(first_name="Maria", last_name="Hernandez", mrn="E-2"),
    )
    assert "This patient may already be registered" in response.content.decode()
    assert Patient.objects.count() == 1
