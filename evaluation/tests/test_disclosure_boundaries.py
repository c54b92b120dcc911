"""Small-cell suppression at its edges: 9 is hidden, 10 is shown, 0 is shown, and a
rate is hidden when its base or the count it is made of is hidden."""

import csv
import io

import pytest

from evaluation.disclosure import table_for_display
from evaluation.tables import column
from evaluation.tests.factories import accepted_referral, declined_referral
from referrals.tests.factories import ReferralFactory


def table(rows, columns=None):
    return {
        "key": "example",
        "title": "Example",
        "columns": columns
        or [
            column("Group", "text"),
            column("People"),
            column("Mean", "number", 1),
            column("Share (%)", "rate", 1),
            column("Base", "hidden"),
        ],
        "rows": rows,
    }


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, "<10"), (9, "<10"), (10, 10), (11, 11)]
)
def test_shared_counts_from_one_to_nine_are_hidden(count, shown):
    result = table_for_display(table([["A", count, None, None, 0]]), shared=True)
    assert result["rows"] == [["A", shown, None, None]]


def test_exact_counts_are_kept_when_not_shared():
    result = table_for_display(table([["A", 3, 4.5, 12.5, 3]]), shared=False)
    assert result["rows"] == [["A", 3, 4.5, 12.5]]


@pytest.mark.parametrize(
    ("base", "mean", "share"),
    [(9, "–", "–"), (10, 4.5, 12.5), (1, "–", "–"), (0, 4.5, 12.5)],
)
def test_means_and_rates_on_a_base_of_one_to_nine_are_hidden(base, mean, share):
    columns = [
        column("Group", "text"),
        column("People"),
        column("Mean", "number", 1),
        column("Share (%)", "rate", 1),
    ]
    result = table_for_display(table([["A", base, 4.5, 12.5]], columns), shared=True)
    assert result["rows"][0][2:] == [mean, share]


def test_a_small_mean_is_hidden_even_on_a_large_base():
    result = table_for_display(table([["A", 40, 3, 7.5, 40]]), shared=True)
    assert result["rows"] == [["A", 40, "<10", 7.5]]


def test_text_and_fractional_rates_are_never_taken_for_counts():
    columns = [column("Code", "text"), column("Share (%)", "rate")]
    result = table_for_display(table([[5, 5.0], [7, 7]], columns), shared=True)
    assert result["rows"] == [[5, 5.0], [7, 7]]


def test_hidden_columns_are_left_out_of_headers_and_rows():
    result = table_for_display(table([["A", 20, 1.5, 5.0, 20]]), shared=True)
    assert result["key"] == "example"
    assert result["title"] == "Example"
    assert result["headers"] == ["Group", "People", "Mean", "Share (%)"]
    assert result["numeric"] == [False, True, True, True]
    assert result["rows"] == [["A", 20, 1.5, 5.0]]


def test_a_rate_whose_count_is_hidden_is_hidden_too():
    # 9 of 12: showing 75 % next to "<10" would give the 9 away.
    columns = [
        column("Step", "text"),
        column("Referrals"),
        {**column("Conversion (%)", "rate", 3), "part": 1},
        column("Previous", "hidden"),
    ]
    rows = [["Referred", 12, None, None], ["Accepted", 9, 75.0, 12]]
    result = table_for_display(table(rows, columns), shared=True)
    assert result["rows"] == [["Referred", 12, None], ["Accepted", "<10", "–"]]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


@pytest.mark.parametrize(("sent", "shown"), [(9, "<10"), (10, "10")])
def test_funnel_csv_at_nine_and_ten_referrals(
    login, manager, partnership, clinic, sent, shown
):
    ReferralFactory.create_batch(sent, partnership=partnership, clinic=clinic)
    rows = csv_rows(login(manager).get("/evaluation/export/funnel.csv"))
    assert rows[0] == ["Step", "Referrals", "Conversion from the step before (%)"]
    assert rows[1] == ["Referred", shown, ""]
    # No referral accepted: zero is shown, and its rate only when ten were sent.
    assert rows[2] == ["Accepted", "0", "0.0" if sent == 10 else "–"]


def test_kpi_csv_hides_a_closed_loop_rate_on_nine_referrals(
    login, manager, partnership
):
    ReferralFactory.create_batch(9, partnership=partnership)
    rows = csv_rows(login(manager).get("/evaluation/export/kpis.csv"))
    assert ["New referrals", "<10", "<10"] in rows
    assert ["Closed-loop rate (%)", "–", "<10"] in rows


def test_funnel_csv_hides_the_conversion_of_nine_accepted_out_of_twelve(
    login, manager, partnership, supervisor, clinic
):
    ReferralFactory.create_batch(3, partnership=partnership, clinic=clinic)
    for _ in range(9):
        accepted_referral(partnership=partnership, supervisor=supervisor, clinic=clinic)
    client = login(manager)
    rows = csv_rows(client.get("/evaluation/export/funnel.csv"))
    assert rows[1] == ["Referred", "12", ""]
    assert rows[2] == ["Accepted", "<10", "–"]
    # The manager's own (not shared) view keeps the exact figures.
    funnel = client.get("/evaluation/").context["tables"]["funnel"]["rows"]
    assert funnel[1] == ["Accepted", 9, 75.0]


def test_clinic_csv_hides_a_closed_loop_rate_made_of_nine_closed(
    login, manager, partnership, supervisor, clinic
):
    ReferralFactory.create_batch(3, partnership=partnership, clinic=clinic)
    for _ in range(9):
        declined_referral(partnership=partnership, supervisor=supervisor, clinic=clinic)
    rows = csv_rows(login(manager).get("/evaluation/export/clinics.csv"))
    assert rows[1][:6] == ["North Clinic", "12", "0", "<10", "0", "–"]
