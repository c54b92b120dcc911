"""CSV exports are written as they are sent, the patient dataset read from the
database in batches, and a table's CSV computes that table and nothing else of
the dashboard, in a fixed number of queries whatever the data."""

import csv
import datetime
import io
import re

import pytest

from evaluation import datasets
from evaluation.figures import TABLE_KEYS
from evaluation.tests.factories import completed_referral
from referrals.tests.factories import ReferralFactory

# What each table reads; every other rollup and panel is left alone.
READS = {
    "kpis": {"evaluation_referralmonth", "evaluation_referralfact"},
    "funnel": {"evaluation_referralmonth"},
    "monthly": {"evaluation_referralmonth"},
    "navigators": {"evaluation_referralfact", "evaluation_recentcontact"},
    "clinics": {"evaluation_referralmonth", "evaluation_referralfact"},
    "pam_change": {"evaluation_enrollment"},
    "pam_levels": {"evaluation_enrollment"},
    "utilization": {"evaluation_enrollment"},
    # The cohort of the unfiltered dashboard: its patients' enrollments.
    "themes": {
        "evaluation_story",
        "evaluation_storyexcerpt",
        "evaluation_theme",
        "evaluation_enrollment",
    },
    # The screenings of the cohort's referrals, their needs and pathways.
    "screening": {
        "referrals_screening",
        "evaluation_referralfact",
        "referrals_referral",
        "referrals_pathway",
    },
}
DASHBOARD_TABLES = set().union(*READS.values()) | {
    "evaluation_pamadministration",
    "evaluation_utilizationrecord",
    "referrals_referral",
    "referrals_pathway",
    "referrals_encounter",
}


@pytest.fixture
def worked(partnership, supervisor, navigator):
    for _ in range(3):
        completed_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )
    ReferralFactory.create_batch(4, partnership=partnership)


def tables_read(queries) -> set:
    words = {w for q in queries for w in re.findall(r"\b\w+\b", q["sql"])}
    return words & DASHBOARD_TABLES


@pytest.mark.parametrize("key", TABLE_KEYS)
def test_a_tables_csv_reads_only_what_that_table_needs(
    login, manager, worked, key, django_assert_max_num_queries
):
    client = login(manager)
    # session, user, partnerships, the figures' transaction (savepoint, work
    # memory, release), the table's own reads (at most four: the navigators'
    # service levels, people, caseloads and contacts), the clinic and navigator
    # lists of the filter form, session save (savepoint, update, release)
    with django_assert_max_num_queries(15) as queries:
        response = client.get(f"/evaluation/export/{key}.csv")
        rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert response.streaming and rows[0]
    assert tables_read(queries.captured_queries) == READS[key]


def test_the_dataset_is_read_in_batches_as_it_is_written(
    reauthenticated, manager, partnership, monkeypatch, django_assert_max_num_queries
):
    ReferralFactory.create_batch(5, partnership=partnership)
    monkeypatch.setattr(datasets, "BATCH", 2)
    client = reauthenticated(manager)
    # session, user, partnerships, savepoint, the dataset through a cursor
    # (declare, three fetches of at most two rows, close), release, the filter
    # form's lists, session save (savepoint, update, release)
    with django_assert_max_num_queries(16) as queries:
        response = client.get("/evaluation/export/dataset.csv")
        lines = response.getvalue().decode().splitlines()
    assert response.streaming
    assert len(lines) == 1 + 5
    declared = [q["sql"] for q in queries.captured_queries if "DECLARE" in q["sql"]]
    assert len(declared) == 1 and "evaluation_referralfact" in declared[0]


def test_the_stories_csv_streams(reauthenticated, manager, partnership):
    response = reauthenticated(manager).get("/evaluation/export/stories.csv")
    assert response.streaming
    assert response.getvalue().decode().splitlines() == [
        "year,domain,language,title,story,themes"
    ]


def test_the_program_report_computes_the_figures_once(
    manager, worked, monkeypatch, django_assert_max_num_queries
):
    from evaluation import figures
    from evaluation.models import Report
    from evaluation.services import reports

    report = Report.objects.create(
        kind=Report.Kind.MONTHLY_PROGRAM, owner=manager,
        period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 10, 31),
    )  # fmt: skip
    computed = []
    build = figures.dashboard_for_user
    monkeypatch.setattr(
        figures, "dashboard_for_user",
        lambda *args, **kwargs: computed.append(args) or build(*args, **kwargs),
    )  # fmt: skip
    # claim, owner, the dashboard (partnerships, its transaction, monthly counts,
    # service levels, open work, medians, navigators, caseloads, contacts, PAM,
    # utilization, stories and their excerpts and themes, themes), the tables
    # and CSV stored, the report read again, the e-mail queued
    with django_assert_max_num_queries(24):
        assert reports.report_build(report_id=report.pk)
    assert len(computed) == 1
    report.refresh_from_db()
    assert report.csv.startswith("Key figures")
