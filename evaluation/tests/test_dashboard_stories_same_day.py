"""Stories told on the same day reach the dashboard latest recorded first, and the
themes table leaves chwlink with its title and headers, ties by name, small
counts hidden."""

import csv
import datetime
import io

import time_machine

from evaluation.services.stories import (
    story_code,
    story_deidentify,
    story_record,
    theme_save,
)
from evaluation.tests.factories import caseload_referral

NOW = datetime.datetime(2026, 5, 20, 19, tzinfo=datetime.UTC)


def told(navigator, referral, day, title):
    story = story_record(
        actor=navigator, patient=referral.patient, told_on=datetime.date(2026, 5, day),
        language="es", domain="food", title=title, text="Text of the story.",
        consent_scope="internal",
    )  # fmt: skip
    return story_deidentify(
        actor=navigator, story=story, deidentified_text="Text of the story."
    )


@time_machine.travel(NOW, tick=False)
def test_stories_of_one_day_come_latest_recorded_first(
    login, manager, partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    told(navigator, referral, 4, "Day before")
    for title in ("Morning", "Noon", "Evening"):
        told(navigator, referral, 5, title)

    data = login(manager).get("/evaluation/").context["data"]

    assert [s.title for s in data["stories"]["stories"]] == [
        "Evening",
        "Noon",
        "Morning",
    ]


@time_machine.travel(NOW, tick=False)
def test_themes_csv_has_its_headers_and_hides_small_counts(
    login, manager, partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    story = told(navigator, referral, 4, "Food")
    # Coded in as many stories: by name, whichever theme was made first.
    for name in ("Work", "Food"):
        theme = theme_save(actor=manager, name=name)
        story_code(actor=manager, story=story, theme=theme, excerpt="Text")
    client = login(manager)

    response = client.get("/evaluation/export/themes.csv")
    page = client.get("/evaluation/").content.decode()

    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows == [["Theme", "Stories"], ["Food", "<10"], ["Work", "<10"]]
    assert 'id="table-themes">Themes in consented stories</h3>' in page
