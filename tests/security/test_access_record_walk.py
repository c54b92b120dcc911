"""Every response that shows a patient leaves an access record, and the patient's
"who viewed or changed" page lists it.

The walk visits every URL of the project (each row of the access matrix) as every
role that may open it, by GET and by POST, and every page of the Django admin as the
administrator. Whenever a response shows a patient of the world (their name, medical
record number or phone number), the request must have written an access record that
the patient's trail finds. A new page needs nothing to pass: the record comes from
the rows it loads (``chwlink.lib.patients_shown``); this walk proves it page by page.
"""

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from chwlink.lib.models import AccessRecord
from partners.audit import patient_audit_trail
from referrals.models import Patient
from tests.security.matrix import MATRIX, SIGNED_IN
from tests.security.world import OTHER_PATIENTS, PATIENTS

pytestmark = pytest.mark.django_db


def _markers(patient):
    # The number as pages show it (+1 503-555-0142) and as links dial it (E.164).
    phones = (str(patient.phone), patient.phone.as_e164) if patient.phone else ()
    return (patient.full_name, patient.mrn, *phones)


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def patients_in(body) -> list:
    mrns = [row[3] for row in PATIENTS + OTHER_PATIENTS]
    return [
        patient
        for patient in Patient.objects.filter(mrn__in=mrns)
        if any(marker in body for marker in _markers(patient))
    ]


def unrecorded(client, user, method, url, data=None) -> list[str]:
    """The patients the response showed whose trail does not list this request
    (the request runs in a savepoint rolled back afterwards)."""
    with transaction.atomic():
        last = AccessRecord.objects.order_by("-pk").values_list("pk", flat=True)
        before = last.first() or 0
        send = client.get if method == "GET" else client.post
        response = send(url, data or {})
        body = body_of(response)
        missing = [
            patient.full_name
            for patient in patients_in(body)
            if not patient_audit_trail(patient)["reads"]
            .filter(pk__gt=before, user=user)
            .exists()
        ]
        transaction.set_rollback(True)
    return missing


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_page_that_shows_a_patient_is_in_the_patients_trail(
    world, signed_in, name
):
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    wrong = []
    for role in SIGNED_IN:
        user = world.users[role]
        expected_get, expected_post = MATRIX[name][role]
        if expected_get == 200:
            for patient in unrecorded(signed_in(user), user, "GET", url):
                wrong.append(f"{role} GET showed {patient} and left no record")
        if expected_post == 200:
            data = world.post_data.get(name, {})
            for patient in unrecorded(signed_in(user), user, "POST", url, data):
                wrong.append(f"{role} POST showed {patient} and left no record")
    assert not wrong, f"{url}\n" + "\n".join(wrong)


def admin_urls(model):
    """The admin's list of the model and, for one row, its change, history and
    delete pages."""
    info = (model._meta.app_label, model._meta.model_name)
    urls = [reverse("admin:{}_{}_changelist".format(*info))]
    row = model.objects.order_by("pk").first()
    if row is None:
        return urls
    for page in ("change", "history", "delete"):
        try:
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[row.pk]))
        except NoReverseMatch:
            continue
    return urls


@pytest.mark.parametrize(
    "model",
    sorted(admin.site._registry, key=lambda model: model._meta.label),
    ids=lambda model: model._meta.label,
)
def test_every_admin_page_that_shows_a_patient_is_in_the_patients_trail(
    world, signed_in, model
):
    user = world.users["administrator"]
    client = signed_in(user)
    wrong = [
        f"{url} showed {patient} and left no record"
        for url in admin_urls(model)
        for patient in unrecorded(client, user, "GET", url)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_a_patient_on_the_patient_page(world, signed_in):
    # The walk's detector works: the patient page shows the patient, and the page
    # is recorded.
    patient = world.records["working"].patient
    user = world.users["supervisor"]
    url = reverse("referrals:patient-detail", args=[patient.code])
    response = signed_in(user).get(url)
    assert patient in patients_in(body_of(response))
    assert patient_audit_trail(patient)["reads"].filter(user=user, path=url).exists()


def test_searching_for_a_patient_and_the_duplicate_warning_are_recorded(
    world, signed_in
):
    user = world.users["clinic"]
    client = signed_in(user)
    first, last, born, mrn, _phone = PATIENTS[0]
    patient = Patient.objects.get(mrn=mrn)
    search = {"first_name": first, "last_name": last, "date_of_birth": born}
    register = search | {"mrn": "WH-999999", "preferred_language": "es"}
    for url, data in (
        (reverse("referrals:referral-new"), search),
        (reverse("referrals:patient-new"), register),
    ):
        with transaction.atomic():
            response = client.post(url, data)
            assert patient in patients_in(body_of(response)), url
            reads = patient_audit_trail(patient)["reads"]
            assert reads.filter(user=user, path=url).exists(), url
            transaction.set_rollback(True)
