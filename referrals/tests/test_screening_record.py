"""Recording screenings: who may, in which setting, what is stored, and refusals."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from referrals.models import ScreeningAnswer, ScreeningInstrument
from referrals.screening import services
from referrals.screening.definition import SHIPPED
from referrals.screening.services import ScreeningRefused
from referrals.tests.screenings import (
    CALM_AHC,
    NEEDY_AHC,
    SAFE,
    UNSAFE,
    Setting,
    instrument,
    screen,
)
from referrals.tests.states import draft_referral, in_progress_referral


@pytest.fixture
def draft(clinic_user):
    return draft_referral(clinic_user=clinic_user, social_needs=[])


@pytest.fixture
def working(supervisor, navigator, clinic_user):
    return in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )


def test_the_shipped_instruments_are_offered(db):
    assert set(
        ScreeningInstrument.objects.filter(active=True).values_list("code", flat=True)
    ) == {"hunger-vital-sign", "ahc-hrsn-core"}


def test_intake_screening_stores_each_answer_declined_ones_as_declined(
    draft, clinic_user
):
    answers = NEEDY_AHC | {"96779-4": "declined"}
    screening = screen(clinic_user, draft, answers, setting=Setting.INTAKE)
    assert screening.positive_domains == [
        "food-insecurity",
        "transportation-insecurity",
    ]
    assert "utility-insecurity" not in screening.negative_domains
    rows = {a.item_code: a for a in ScreeningAnswer.objects.filter(screening=screening)}
    assert rows["96779-4"].declined and rows["96779-4"].answer_code == ""
    assert rows["88122-7"].positive and not rows["88123-5"].positive
    assert set(rows) == set(CALM_AHC)


def test_an_old_version_of_the_form_is_refused(draft, clinic_user):
    # A form opened before version 2 of the AHC core items was shipped.
    row = instrument()
    with pytest.raises(ScreeningRefused, match="version 1 of .* version 2 is in use"):
        services.screening_record(
            actor=clinic_user,
            referral=draft,
            instrument=row,
            version="1",
            setting=Setting.INTAKE,
            language="en",
            answers=CALM_AHC,
            asked_privately=False,
        )


def test_missing_and_unknown_answers_are_refused_and_nothing_is_stored(
    draft, clinic_user
):
    with pytest.raises(ScreeningRefused, match="93030-5 has no answer"):
        screen(
            clinic_user,
            draft,
            {k: v for k, v in CALM_AHC.items() if k != "93030-5"},
            setting=Setting.INTAKE,
        )
    with pytest.raises(ScreeningRefused, match="not an answer to question 71802-3"):
        screen(clinic_user, draft, CALM_AHC | {"71802-3": "LA33-6"}, setting="intake")
    assert not draft.screenings.exists()


def test_the_navigator_screens_once_at_first_contact_then_rescreens(working, navigator):
    screen(navigator, working, NEEDY_AHC | SAFE, setting=Setting.FIRST_CONTACT)
    with pytest.raises(ScreeningRefused, match="already has a screening"):
        screen(navigator, working, CALM_AHC, setting=Setting.FIRST_CONTACT)
    with pytest.raises(ScreeningRefused, match="repeats the instrument"):
        screen(
            navigator,
            working,
            {"88122-7": "LA28398-8", "88123-5": "LA28398-8"},
            setting=Setting.CLOSURE,
            code="hunger-vital-sign",
        )
    after = screen(navigator, working, CALM_AHC, setting=Setting.CLOSURE)
    assert after.positive_domains == []


def test_clinic_staff_screen_only_drafts_and_navigators_only_their_caseload(
    draft, working, clinic_user, navigator, supervisor
):
    with pytest.raises(PermissionDenied):
        screen(clinic_user, working, CALM_AHC, setting=Setting.INTAKE)
    with pytest.raises(PermissionDenied):
        screen(navigator, draft, CALM_AHC, setting=Setting.FIRST_CONTACT)
    with pytest.raises(PermissionDenied):
        screen(supervisor, working, CALM_AHC, setting=Setting.FIRST_CONTACT)


def test_a_positive_safety_answer_is_never_proposed_as_a_need(working, navigator):
    screening = screen(
        navigator,
        working,
        CALM_AHC | UNSAFE | {"95615-1": "LA6270-8"},
        setting=Setting.FIRST_CONTACT,
    )
    assert screening.positive_domains == ["intimate-partner-violence"]
    assert services.proposed_needs(screening) == []
    with pytest.raises(ScreeningRefused, match="Only the screening's positives"):
        services.screening_needs_review(
            actor=navigator,
            screening=screening,
            confirmed=["intimate-partner-violence"],
            expected_version=working.version,
        )


def test_confirmed_positives_join_the_referrals_needs_once(working, navigator):
    screening = screen(navigator, working, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    working.refresh_from_db()
    before = working.social_needs
    referral = services.screening_needs_review(
        actor=navigator,
        screening=screening,
        confirmed=["transportation-insecurity"],
        expected_version=working.version,
    )
    assert referral.social_needs == [*before, "transportation-insecurity"]
    screening.refresh_from_db()
    assert screening.confirmed_domains == ["transportation-insecurity"]
    with pytest.raises(ScreeningRefused, match="already reviewed"):
        services.screening_needs_review(
            actor=navigator,
            screening=screening,
            confirmed=[],
            expected_version=referral.version,
        )


def test_screened_elsewhere_keeps_the_date_and_positives(draft, clinic_user):
    screening = services.screening_elsewhere_record(
        actor=clinic_user,
        referral=draft,
        screened_on=datetime.date(2026, 11, 3),
        positive_domains=["housing-instability"],
    )
    assert screening.elsewhere and screening.instrument is None
    assert screening.positive_domains == ["housing-instability"]
    with pytest.raises(ScreeningRefused, match="future"):
        services.screening_elsewhere_record(
            actor=clinic_user,
            referral=draft,
            screened_on=datetime.date(2999, 1, 1),
            positive_domains=[],
        )


def test_the_command_loads_a_new_version_and_keeps_the_old(db, tmp_path):
    data = json.loads((SHIPPED / "hunger-vital-sign.json").read_text())
    data["version"] = "2"
    data["title"]["es"] = "Signo vital del hambre"
    path = tmp_path / "hvs.json"
    path.write_text(json.dumps(data))
    call_command("screening_instrument_load", str(path))
    rows = ScreeningInstrument.objects.filter(code="hunger-vital-sign")
    assert {(r.version, r.active) for r in rows} == {("1", False), ("2", True)}
    with pytest.raises(CommandError, match="Version 2 of hunger-vital-sign is already"):
        call_command("screening_instrument_load", str(path))


def test_the_command_names_what_is_wrong_with_a_file(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "chwlink-screening-instrument/1"}))
    with pytest.raises(CommandError, match="“items” is missing"):
        call_command("screening_instrument_load", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("screening_instrument_load", str(tmp_path / "none.json"))
