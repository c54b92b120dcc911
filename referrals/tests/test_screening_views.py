"""The screening pages: the clinic screens a draft and accepts the proposed needs,
the navigator screens at first contact (safety questions only in private) and
rescreens before closing; strangers get 404."""

import pytest
from django.core import mail
from django.urls import reverse

from referrals.models import Notification, Screening
from referrals.tests.screenings import (
    CALM_AHC,
    NEEDY_AHC,
    UNSAFE,
    Setting,
    instrument,
    screen,
)
from referrals.tests.states import draft_referral, in_progress_referral


def _post(answers, *, private=False, version=None):
    data = {f"item_{code}": value for code, value in answers.items()}
    version = version or instrument().version
    return data | {"version": version, "asked_privately": "True" if private else ""}


@pytest.fixture
def draft(clinic_user):
    return draft_referral(clinic_user=clinic_user, social_needs=[])


@pytest.fixture
def working(supervisor, navigator, clinic_user):
    return in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        social_needs=["employment-status"],
    )


def test_clinic_screens_the_draft_and_accepts_the_proposed_needs(
    login, clinic_user, draft
):
    client = login(clinic_user)
    url = reverse("referrals:screening-new", args=[draft.code])
    page = client.get(url)
    assert page.status_code == 200
    assert "What is your living situation today?" in page.text
    assert "physically hurt you" not in page.text
    response = client.post(url, _post(NEEDY_AHC))
    screening = Screening.objects.get(referral=draft)
    assert response.url == reverse("referrals:screening-detail", args=[screening.code])
    detail = client.get(response.url)
    assert 'data-testid="proposed-needs"' in detail.text
    response = client.post(
        reverse("referrals:screening-needs", args=[screening.code]),
        {"confirmed": ["food-insecurity"], "version": draft.version},
    )
    assert response.url == reverse("referrals:referral-edit", args=[draft.code])
    draft.refresh_from_db()
    assert draft.social_needs == ["food-insecurity"]
    screening.refresh_from_db()
    assert screening.confirmed_domains == ["food-insecurity"]


def test_a_missing_answer_is_shown_beside_the_question_and_the_rest_kept(
    login, clinic_user, draft
):
    client = login(clinic_user)
    answers = {k: v for k, v in NEEDY_AHC.items() if k != "93030-5"}
    page = client.post(
        reverse("referrals:screening-new", args=[draft.code]), _post(answers)
    )
    assert page.status_code == 200
    assert "Choose an answer, or “Declined to answer”" in page.text
    assert 'value="LA6729-3" checked' in page.text.replace("\n", " ") or (
        'value="LA6729-3"' in page.text and "checked" in page.text
    )
    assert not Screening.objects.exists()


def test_an_old_form_version_is_refused_on_the_page(login, clinic_user, draft):
    page = login(clinic_user).post(
        reverse("referrals:screening-new", args=[draft.code]),
        _post(CALM_AHC, version="1"),
    )
    assert "version 2 is in use now" in page.text
    assert not Screening.objects.exists()


def test_screened_elsewhere_with_date_and_positives(login, clinic_user, draft):
    client = login(clinic_user)
    response = client.post(
        reverse("referrals:screening-elsewhere", args=[draft.code]),
        {"screened_on": "2026-11-20", "positive_domains": ["housing-instability"]},
    )
    screening = Screening.objects.get(referral=draft)
    assert screening.elsewhere and screening.positive_domains == ["housing-instability"]
    assert response.status_code == 302
    future = client.post(
        reverse("referrals:screening-elsewhere", args=[draft.code]),
        {"screened_on": "2999-01-01"},
    )
    assert "cannot be in the future" in future.text


def test_safety_questions_only_when_the_patient_can_answer_privately(
    login, navigator, working
):
    client = login(navigator)
    url = reverse("referrals:screening-new", args=[working.code])
    assert "physically hurt you" not in client.get(url).text
    private = client.get(url + "?asked_privately=yes")
    assert "physically hurt you" in private.text
    answers = CALM_AHC | UNSAFE | {"95615-1": "LA6270-8"}
    # Safety answers posted without the privacy confirmation are refused.
    refused = client.post(url, _post(answers))
    assert "asked only when the patient can answer privately" in refused.text
    response = client.post(url, _post(answers, private=True))
    screening = Screening.objects.get(referral=working)
    assert screening.setting == Setting.FIRST_CONTACT
    detail = client.get(response.url)
    assert 'data-testid="do-not-contact-suggestion"' in detail.text
    # Nothing to propose: the safety positive never becomes a referral need.
    assert 'data-testid="proposed-needs"' not in detail.text


def test_a_safety_positive_reaches_no_notification_or_email(
    login, navigator, working, clinic_user
):
    mail.outbox.clear()
    before = set(Notification.objects.values_list("pk", flat=True))
    client = login(navigator)
    client.post(
        reverse("referrals:screening-new", args=[working.code]),
        _post(CALM_AHC | UNSAFE | {"95615-1": "LA6270-8"}, private=True),
    )
    new = Notification.objects.exclude(pk__in=before)
    text = " ".join(str(n.__dict__) for n in new) + " ".join(
        m.subject + m.body for m in mail.outbox
    )
    for word in ("intimate", "violence", "safety", "95618-5", "LA6482-9"):
        assert word not in text.lower()


def test_navigator_confirms_positives_and_can_open_a_pathway(login, navigator, working):
    screening = screen(navigator, working, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    working.refresh_from_db()
    client = login(navigator)
    response = client.post(
        reverse("referrals:screening-needs", args=[screening.code]),
        {"confirmed": ["food-insecurity"], "version": working.version},
    )
    detail = client.get(response.url)
    pathway = reverse("referrals:pathway-new", args=[working.code])
    assert f"{pathway}?need=food-insecurity" in detail.text
    form = client.get(f"{pathway}?need=food-insecurity")
    assert 'value="food-insecurity" selected' in form.text


def test_the_closing_page_offers_the_rescreen_with_the_same_instrument(
    login, navigator, working
):
    screen(
        navigator,
        working,
        {"88122-7": "LA6729-3", "88123-5": "LA28398-8"},
        setting=Setting.FIRST_CONTACT,
        code="hunger-vital-sign",
    )
    client = login(navigator)
    close = client.get(
        reverse("referrals:referral-transition", args=[working.code, "complete"])
    )
    assert 'data-testid="rescreen-offer"' in close.text
    url = reverse("referrals:screening-new", args=[working.code])
    page = client.get(url + "?instrument=ahc-hrsn-core")
    assert "we worried whether our food" in page.text
    assert "living situation" not in page.text
    hvs = instrument("hunger-vital-sign").version
    client.post(
        url, _post({"88122-7": "LA28398-8", "88123-5": "LA28398-8"}, version=hvs)
    )
    after = Screening.objects.get(referral=working, setting=Setting.CLOSURE)
    assert after.negative_domains == ["food-insecurity"]
    again = client.get(
        reverse("referrals:referral-transition", args=[working.code, "complete"])
    )
    assert 'data-testid="rescreen-offer"' not in again.text


def test_referral_page_lists_the_screenings(login, navigator, working):
    screen(navigator, working, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    page = login(navigator).get(
        reverse("referrals:referral-detail", args=[working.code])
    )
    assert 'data-testid="screenings"' in page.text
    assert "2 positive" in page.text
    assert "Rescreen before closing" in page.text


def test_spanish_patient_and_spanish_interface_say_no_wording_is_loaded(
    login, navigator, working
):
    working.patient.preferred_language = "es"
    working.patient.save(update_fields=["preferred_language"])
    client = login(navigator)
    page = client.get(
        reverse("referrals:screening-new", args=[working.code]),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert 'data-testid="no-translation"' in page.text
    assert "Un administrador puede cargar una traducción" in page.text
    assert "No quiso responder" in page.text


def test_another_organization_gets_404(login, outsiders, navigator, working):
    screening = screen(navigator, working, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    for person in outsiders.values():
        client = login(person)
        for url in (
            reverse("referrals:screening-detail", args=[screening.code]),
            reverse("referrals:screening-new", args=[working.code]),
            reverse("referrals:screening-elsewhere", args=[working.code]),
        ):
            assert client.get(url).status_code == 404, (person, url)
        needs = reverse("referrals:screening-needs", args=[screening.code])
        assert client.post(needs, {"confirmed": []}).status_code == 404


def test_the_screening_page_is_in_the_access_log(login, navigator, working):
    from chwlink.lib.models import AccessRecord

    screening = screen(navigator, working, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    login(navigator).get(reverse("referrals:screening-detail", args=[screening.code]))
    record = AccessRecord.objects.get(object_code=screening.code)
    assert record.object_type == AccessRecord.ObjectType.SCREENING
    assert record.action == AccessRecord.Action.VIEW
