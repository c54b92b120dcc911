import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import PamAdministration
from evaluation.models.pam import PAM_ITEMS
from evaluation.services.pam import pam_record, pam_table_upload
from evaluation.tests.factories import caseload_referral, pam_row
from referrals.tests.factories import ReferralFactory

ANSWERS = ["3", "3", "4", "2", "3", "na", "3", "4", "3", "2", "3", "3", "4"]


@pytest.fixture
def referral(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )


def _post(client, patient, **extra):
    data = {
        "administered_on": "2026-03-02",
        "kind": "baseline",
        "language": "es",
        "mode": "phone",
        **{f"item_{key}": value for key, value in zip(_keys(), ANSWERS, strict=True)},
        **extra,
    }
    return client.post(f"/evaluation/patients/{patient.code}/pam/new/", data)


def _keys():
    return [key for key, _label in PAM_ITEMS]


@time_machine.travel("2026-03-10 12:00Z")
def test_navigator_records_a_raw_only_pam(login, navigator, referral):
    response = _post(login(navigator), referral.patient)
    pam = PamAdministration.objects.get()
    assert response.status_code == 302
    assert (pam.raw_sum, pam.answered, pam.extreme_response) == (37, 12, False)
    assert pam.score is None and pam.score_source == "none" and pam.level is None
    page = login(navigator).get(response["Location"]).content.decode()
    assert "No score (raw answers only)" in page


@time_machine.travel("2026-03-10 12:00Z")
def test_score_entered_from_the_licensed_scorer_gets_its_level(
    login, navigator, referral
):
    _post(
        login(navigator),
        referral.patient,
        manual_score="68.2",
        manual_cut_set="original",
    )
    pam = PamAdministration.objects.get()
    assert pam.score == Decimal("68.2")
    assert (pam.score_source, pam.cut_set, pam.level) == ("manual", "original", 4)


@time_machine.travel("2026-03-10 12:00Z")
def test_manual_score_without_cut_points_is_refused_beside_the_field(
    login, navigator, referral
):
    response = _post(login(navigator), referral.patient, manual_score="60")
    assert response.status_code == 200
    assert "Say which cut points produced the score." in response.content.decode()
    assert 'value="60"' in response.content.decode()
    assert not PamAdministration.objects.exists()


@time_machine.travel("2026-03-10 12:00Z")
def test_uploaded_table_scores_new_administrations(
    manager, navigator, referral, partnership
):
    table = "answered,raw_sum,score\n12,36,58.1\n12,37,60.0\n12,38,62.4\n"
    pam_table_upload(
        actor=manager, name="Licensed 2026", cut_set="current",
        license_reference="L-1", table_csv=table, wording_csv="",
    )  # fmt: skip
    answers = [None if a == "na" else int(a) for a in ANSWERS]
    pam = pam_record(
        actor=navigator, patient=referral.patient,
        administered_on=datetime.date(2026, 3, 1), language="es", mode="phone",
        kind="baseline", answers=answers,
    )  # fmt: skip
    assert pam.score == Decimal("60.0")
    assert (pam.score_source, pam.cut_set, pam.level) == ("table", "current", 3)
    assert pam.conversion_table.name == "Licensed 2026"


@time_machine.travel("2026-03-10 12:00Z")
def test_follow_up_needs_a_baseline(navigator, referral):
    with pytest.raises(ValidationError, match="baseline"):
        pam_record(
            actor=navigator, patient=referral.patient,
            administered_on=datetime.date(2026, 3, 1), language="es",
            mode="phone", kind="follow_up", answers=[3] * 13,
        )  # fmt: skip


def test_navigator_cannot_record_for_a_patient_off_their_caseload(
    login, navigator, partnership
):
    stranger = ReferralFactory(partnership=partnership)
    response = _post(login(navigator), stranger.patient)
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        pam_record(
            actor=navigator, patient=stranger.patient,
            administered_on=datetime.date(2026, 3, 1), language="es",
            mode="phone", kind="baseline", answers=[3] * 13,
        )  # fmt: skip


def test_supervisor_reads_the_pams_of_their_cbo(login, supervisor, navigator, referral):
    pam = pam_row(
        patient=referral.patient, partnership=referral.partnership, by=navigator,
        on=datetime.date(2026, 1, 5), score=52.3,
    )  # fmt: skip
    client = login(supervisor)
    listing = client.get(f"/evaluation/patients/{referral.patient.code}/pam/")
    assert "52.3" in listing.content.decode()
    assert client.get(f"/evaluation/pam/{pam.code}/").status_code == 200


def test_outsiders_get_404_on_every_pam_url(login, outsiders, navigator, referral):
    pam = pam_row(
        patient=referral.patient, partnership=referral.partnership, by=navigator,
        on=datetime.date(2026, 1, 5),
    )  # fmt: skip
    code = referral.patient.code
    reads = [f"/evaluation/patients/{code}/pam/", f"/evaluation/pam/{pam.code}/"]
    for role, urls in {
        "navigator": [f"/evaluation/patients/{code}/pam/new/", *reads],
        "supervisor": reads,
    }.items():
        for url in urls:
            assert login(outsiders[role]).get(url).status_code == 404, url


def test_clinic_staff_and_managers_may_not_record_a_pam(
    login, clinic_user, manager, referral
):
    url = f"/evaluation/patients/{referral.patient.code}/pam/new/"
    assert login(clinic_user).get(url).status_code == 403
    assert login(manager).get(url).status_code == 403


@time_machine.travel("2026-08-10 12:00Z")
def test_navigator_sees_who_is_due_a_follow_up(
    login, navigator, supervisor, partnership, referral, django_assert_max_num_queries
):
    pam_row(
        patient=referral.patient, partnership=partnership, by=navigator,
        on=datetime.date(2026, 1, 20), score=50,
    )  # fmt: skip
    newcomer = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    client = login(navigator)
    # session, user, 2FA check, count, page of patients, session save
    with django_assert_max_num_queries(9):
        response = client.get("/evaluation/pam/due/")
    page = response.content.decode()
    patients = list(response.context["page"])
    assert patients[0] == referral.patient
    assert patients[0].follow_up_due_on == datetime.date(2026, 7, 20)
    assert "Due now" in page
    assert newcomer.patient.full_name in page and "No baseline yet" in page


def test_pam_due_is_for_navigators(login, supervisor):
    assert login(supervisor).get("/evaluation/pam/due/").status_code == 403


def test_table_upload_reports_every_bad_line(login, manager):
    table = io.BytesIO(
        b"answered,raw_sum,score\n13,40,70.0\n13,60,71.0\n13,41,69.0\nx,1,2\n"
    )
    table.name = "table.csv"
    wording = io.BytesIO(b"language,item,text\nes,1,Texto uno\n")
    wording.name = "wording.csv"
    response = login(manager).post(
        "/evaluation/pam/scoring/",
        {"name": "Bad", "cut_set": "current", "table_file": table,
         "wording_file": wording},
    )  # fmt: skip
    page = response.content.decode()
    assert "Line 3: with 13 items answered the raw sum is 13 to 52." in page
    assert "Line 5: answered, raw_sum and score must be numbers." in page
    assert "Scores must not go down" in page
    assert "Language es is missing items 2, 3" in page


def test_table_upload_with_wrong_columns_is_refused(manager):
    with pytest.raises(ValidationError, match="answered, raw_sum, score"):
        pam_table_upload(
            actor=manager, name="T", cut_set="current", license_reference="",
            table_csv="raw,score\n1,2\n", wording_csv="",
        )  # fmt: skip


def test_new_table_replaces_the_active_one(login, manager):
    for name in ("First", "Second"):
        pam_table_upload(
            actor=manager, name=name, cut_set="original", license_reference="",
            table_csv="answered,raw_sum,score\n13,13,0.0\n",
            wording_csv="language,item,text\n"
            + "".join(f"en,{i},Licensed text {i}\n" for i in range(1, 14)),
        )  # fmt: skip
    page = login(manager).get("/evaluation/pam/scoring/").content.decode()
    assert page.count("Stop using") == 1


def test_scoring_page_is_for_program_managers_and_their_tables(
    login, manager, navigator, outsiders
):
    table = pam_table_upload(
        actor=manager, name="Ours", cut_set="current", license_reference="",
        table_csv="answered,raw_sum,score\n13,13,0.0\n", wording_csv="",
    )  # fmt: skip
    assert login(navigator).get("/evaluation/pam/scoring/").status_code == 403
    url = f"/evaluation/pam/scoring/{table.code}/deactivate/"
    assert login(outsiders["program_manager"]).post(url).status_code == 404
    login(manager).post(url)
    table.refresh_from_db()
    assert table.is_active is False


def test_an_empty_pam_is_summed_up_above_the_form(login, navigator, referral):
    response = login(navigator).post(
        f"/evaluation/patients/{referral.patient.code}/pam/new/",
        {"administered_on": "", "kind": "baseline", "language": "es", "mode": "phone"},
    )
    content = response.content.decode()
    summary = content[content.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "Nothing was saved." in summary
    assert "13 answers are missing" in summary
    assert 'href="#item-1"' in summary and 'href="#item-13"' in summary
    assert "Date" in summary
    assert PamAdministration.objects.count() == 0
