"""The dashboard's stories panel: the three latest shareable stories of the cohort,
and how many stories each theme was coded in (once per story, most first)."""

import datetime

import pytest
import time_machine

from evaluation.services.stories import (
    story_code,
    story_deidentify,
    story_record,
    theme_save,
)
from evaluation.tests.factories import caseload_referral

NOW = datetime.datetime(2026, 5, 20, 19, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def told(navigator, referral, day, title):
    story = story_record(
        actor=navigator, patient=referral.patient, told_on=datetime.date(2026, 5, day),
        language="es", domain="food", title=title, text="Text of the story.",
        consent_scope="internal",
    )  # fmt: skip
    return story_deidentify(
        actor=navigator, story=story, deidentified_text="Text of the story."
    )


def test_three_latest_stories_and_themes_by_number_of_stories(
    login, manager, partnership, supervisor, navigator, clinic
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator,
        clinic=clinic,
    )  # fmt: skip
    first = told(navigator, referral, 1, "First")
    second = told(navigator, referral, 3, "Third day")
    third = told(navigator, referral, 2, "Second day")
    told(navigator, referral, 4, "Fourth day")
    housing, food, work = (
        theme_save(actor=manager, name=name) for name in ("Housing", "Food", "Work")
    )
    for story in (first, second):
        story_code(actor=manager, story=story, theme=housing, excerpt="Text")
        story_code(actor=manager, story=story, theme=housing, excerpt="story")
    story_code(actor=manager, story=third, theme=work, excerpt="Text")
    story_code(actor=manager, story=first, theme=food, excerpt="Text")

    client = login(manager)
    data = client.get("/evaluation/").context["data"]
    by_clinic = client.get(f"/evaluation/?clinic={clinic.pk}").context["data"]
    elsewhere = client.get("/evaluation/?language=en").context["data"]

    titles = [story.title for story in data["stories"]["stories"]]
    assert titles == ["Fourth day", "Third day", "Second day"]
    assert data["tables"]["themes"]["rows"] == [
        ["Housing", 2],
        ["Food", 1],
        ["Work", 1],
    ]
    assert by_clinic["tables"]["themes"]["rows"] == data["tables"]["themes"]["rows"]
    assert elsewhere["stories"]["stories"] == []
    assert elsewhere["tables"]["themes"]["rows"] == []
