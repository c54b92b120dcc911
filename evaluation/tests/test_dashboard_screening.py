"""The dashboard's screening panel: positivity by category, positives that got a
need or pathway, categories resolved between the pre/post pair; suppressed in
the CSV; a fixed number of queries."""

import csv
import io

import pytest

from evaluation.tests.factories import in_progress_referral
from referrals.screening import services
from referrals.tests.screenings import CALM_AHC, NEEDY_AHC, UNSAFE, Setting, screen

HVS_POSITIVE = {"88122-7": "LA6729-3", "88123-5": "LA28398-8"}
HVS_NEGATIVE = {"88122-7": "LA28398-8", "88123-5": "LA28398-8"}
COLUMNS = [
    "screened",
    "positive",
    "positive_rate",
    "addressed",
    "addressed_rate",
    "paired",
    "resolved",
    "resolved_rate",
]


@pytest.fixture
def screened(partnership, supervisor, navigator):
    team = {"partnership": partnership, "supervisor": supervisor}
    paired, open_, calm = (
        in_progress_referral(
            **team, navigator=navigator, social_needs=["employment-status"]
        )
        for _ in range(3)
    )
    first = screen(
        navigator,
        paired,
        HVS_POSITIVE,
        setting=Setting.FIRST_CONTACT,
        code="hunger-vital-sign",
    )
    paired.refresh_from_db()
    services.screening_needs_review(
        actor=navigator,
        screening=first,
        confirmed=["food-insecurity"],
        expected_version=paired.version,
    )
    screen(
        navigator,
        paired,
        HVS_NEGATIVE,
        setting=Setting.CLOSURE,
        code="hunger-vital-sign",
    )
    screen(navigator, open_, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    screen(navigator, calm, CALM_AHC, setting=Setting.FIRST_CONTACT)
    return paired, open_, calm


def _rows(response):
    table = response.context["data"]["tables"]["screening"]
    return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in table["rows"]}


def test_the_panel_counts_patients_positives_and_resolved_pairs(
    login, manager, screened
):
    rows = _rows(login(manager).get("/evaluation/"))
    assert rows["Any category"] == {
        "screened": 3,
        "positive": 2,
        "positive_rate": 66.7,
        "addressed": 1,
        "addressed_rate": 50.0,
        "paired": 1,
        "resolved": 1,
        "resolved_rate": 100.0,
    }
    assert rows["Food insecurity"]["screened"] == 3
    assert rows["Food insecurity"]["positive"] == 2
    assert rows["Food insecurity"]["resolved"] == 1
    transport = rows["Transportation"]
    assert (transport["screened"], transport["positive"], transport["addressed"]) == (
        2,
        1,
        0,
    )
    # Not asked privately: no safety row.
    assert "Intimate partner violence" not in rows


def test_the_panel_follows_the_dashboards_filters(login, manager, screened):
    _, open_, _ = screened
    client = login(manager)
    by_navigator = _rows(client.get("/evaluation/", {"navigator": open_.navigator_id}))
    assert by_navigator["Any category"]["screened"] == 3
    # The patients speak Spanish: none of them in Vietnamese.
    vietnamese = _rows(client.get("/evaluation/", {"language": "vi"}))
    assert vietnamese["Any category"]["screened"] == 0


def test_the_csv_hides_small_counts(login, manager, screened):
    response = login(manager).get("/evaluation/export/screening.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    any_row = next(row for row in rows if row[0] == "Any category")
    assert any_row[1:3] == ["<10", "<10"]
    assert "66.7" not in text


def test_the_dashboard_reads_the_screenings_in_one_query(
    login, manager, partnership, supervisor, navigator, django_assert_max_num_queries
):
    client = login(manager)
    # The 25 of the dashboard without screening (test_dashboard), and the
    # screenings with their referrals' needs and pathways.
    with django_assert_max_num_queries(26):
        client.get("/evaluation/")
    for _ in range(3):
        referral = in_progress_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )
        screen(navigator, referral, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    with django_assert_max_num_queries(26):
        response = client.get("/evaluation/")
    assert _rows(response)["Any category"]["screened"] == 3


def test_the_dataset_has_screening_codes_and_day_offsets_never_safety(
    reauthenticated, manager, partnership, supervisor, navigator
):
    referral = in_progress_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    screen(
        navigator,
        referral,
        NEEDY_AHC | UNSAFE | {"95615-1": "LA6270-8"},
        setting=Setting.FIRST_CONTACT,
    )
    screen(navigator, referral, CALM_AHC, setting=Setting.CLOSURE)
    response = reauthenticated(manager).get("/evaluation/export/dataset.csv")
    content = response.getvalue().decode()
    (row,) = csv.DictReader(io.StringIO(content))
    assert row["screening_instrument"] == "ahc-hrsn-core"
    assert row["screening_day"] == "0" and row["rescreen_day"] == "0"
    assert row["screening_positive"] == "food-insecurity;transportation-insecurity"
    assert row["rescreen_positive"] == ""
    assert row["pathways_resolved"] == "0"
    assert "food-insecurity" in row["rescreen_negative"].split(";")
    assert "intimate-partner-violence" not in content
