"""Every figure of the dashboard (key figures, funnel, months, navigators,
clinics, PAM, utilization, stories) equals the same figure computed from the
base tables by independent SQL (``dashboard_sql``), on a generated statewide data
set, for program managers of one and of two partnerships in two time zones,
under every filter, and as shared in the CSV exports."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.db.models import Count

from bench.generate import generate
from evaluation.disclosure import table_for_display
from evaluation.models import Enrollment, Story, StoryExcerpt, Theme
from evaluation.tests import dashboard_sql
from evaluation.tests.test_rollups import assert_equal_to_a_rebuild
from partners.models import Partnership, User
from partners.tests.factories import OrganizationFactory, SiteFactory, UserFactory
from referrals.models import Referral

NOW = datetime.datetime(2026, 11, 18, 19, 30, tzinfo=datetime.UTC)
TABLES = [
    "kpis", "funnel", "monthly", "navigators", "clinics", "pam_change",
    "pam_levels", "utilization", "themes",
]  # fmt: skip


@pytest.fixture
def statewide(db):
    """The generated data set, with a second partnership of the largest health
    system working in Tokyo (a day ahead of the others' Los Angeles) and sharing
    a CBO with the second partnership; a third of the largest partnership's
    referrals, some patients with earlier ones, go to it."""
    with time_machine.travel(NOW, tick=False):
        generate(referrals=300, seed=5, out=lambda line: None)
        with connection.cursor() as cursor:
            # The load bypassed the triggers for the rest of the transaction.
            cursor.execute("SET LOCAL session_replication_role = origin")
        first, second, third = Partnership.objects.annotate(
            sent=Count("referrals")
        ).order_by("-sent", "pk")[:3]
        tokyo = Partnership.objects.create(
            name="Tokyo partnership", health_system=first.health_system,
            cbo=second.cbo, status=Partnership.Status.ACTIVE,
            time_zone="Asia/Tokyo",
        )  # fmt: skip
        moved = Referral.objects.filter(partnership=first).order_by("pk")
        Referral.objects.filter(
            pk__in=list(moved.values_list("pk", flat=True))[::3]
        ).update(partnership=tokyo)
        _stories(first, tokyo)
        yield {"first": first, "second": second, "third": third, "tokyo": tokyo}


def _stories(*partnerships):
    """Stories of both partnerships' patients: shareable, withdrawn, expired and
    not yet reviewed, coded with themes."""
    themes = Theme.objects.filter(organization=partnerships[0].health_system)[:3]
    kinds = [
        {},
        {"withdrawn_at": NOW},
        {"consent_expires_on": datetime.date(2026, 1, 1)},
        {"deidentified_reviewed_at": None},
    ]
    for partnership in partnerships:
        referrals = Referral.objects.filter(partnership=partnership).exclude(
            status__in=["draft", "entered_in_error"]
        )
        for i, referral in enumerate(referrals[:12]):
            story = Story.objects.create(**{
                "partnership": partnership, "patient": referral.patient,
                "told_on": datetime.date(2026, 1 + i % 9, 1 + i), "language": "es",
                "domain": "food", "title": f"Story {i}", "text": "Text",
                "consent_scope": "internal", "deidentified_text": "Text",
                "deidentified_reviewed_at": NOW, "recorded_by": referral.referred_by,
                **kinds[i % 4],
            })  # fmt: skip
            for theme in themes[: 1 + i % 3]:
                StoryExcerpt.objects.create(
                    story=story,
                    theme=theme,
                    excerpt="Text",
                    coded_by=referral.referred_by,
                )


def manager_of(organization):
    return UserFactory(role=User.Role.PROGRAM_MANAGER, organization=organization)


def shown(tables: dict) -> dict:
    return {
        key: table_for_display(table, shared=False)["rows"]
        for key, table in tables.items()
    }


def check(client, user, query: str = ""):
    response = client.get(f"/evaluation/?{query}")
    assert response.status_code == 200
    data = response.context["data"]
    want = dashboard_sql.expected(user, response.context["form"].filters())
    got = shown(data["tables"])
    for key in TABLES:
        assert got[key] == want[key], f"{key} with ?{query}"
    overall = data["pam"]["overall"]
    assert {k: overall[k] for k in want["pam_overall"]} == want["pam_overall"], query
    totals = data["utilization"]["totals"]
    assert {k: totals[k] for k in want["utilization_totals"]} == want[
        "utilization_totals"
    ], query
    latest = [story.pk for story in data["stories"]["stories"]]
    assert latest == want["latest_stories"], query
    return data


def test_every_figure_equals_the_sql_of_the_base_tables(login, statewide):
    first, tokyo = statewide["first"], statewide["tokyo"]
    manager = manager_of(first.health_system)
    client = login(manager)
    data = check(client, manager)
    # Enough of everything for the comparison to mean something.
    figures, pam = data["figures"], data["pam"]["overall"]
    assert figures["referred"] > 100 and figures["overdue"] > 0
    assert figures["needs_final"] > 0 and figures["median_days_to_contact"]
    assert pam["n"] > 0 and pam["raw_n"] > 0
    assert data["utilization"]["totals"]["n"] > 0
    assert data["tables"]["themes"]["rows"]
    assert any(row[3] for row in data["tables"]["navigators"]["rows"])
    # Patients of both partnerships count once, from their first referral.
    assert Enrollment.objects.filter(shared=True).exists()
    clinic = Referral.objects.filter(partnership=tokyo).first().clinic
    navigator = (
        Referral.objects.filter(partnership=first, navigator__isnull=False)
        .values_list("navigator", flat=True)
        .first()
    )
    for query in [
        "start=2026-01-01&end=2026-06-30",
        "start=2025-12-15&end=2026-08-11",
        "start=2026-03-10&end=2026-03-20",
        "start=2025-11-18",
        "end=2026-02-27",
        f"clinic={clinic.pk}",
        f"navigator={navigator}",
        "language=es",
        "need=food-insecurity",
        "language=es&need=food-insecurity",
        "window=12",
        f"start=2026-02-01&clinic={clinic.pk}&need=housing-instability",
    ]:
        check(client, manager, query)


def test_managers_of_the_cbo_and_of_one_partnership_read_the_same_sql(login, statewide):
    cbo_manager = manager_of(statewide["second"].cbo)
    alone = manager_of(statewide["third"].health_system)
    for manager in (cbo_manager, alone):
        client = login(manager)
        check(client, manager)
        check(client, manager, "start=2025-10-05&end=2026-10-04")
        check(client, manager, "language=en")
    nobody = manager_of(OrganizationFactory())
    assert check(login(nobody), nobody)["figures"]["referred"] == 0


def test_days_and_months_are_each_partnerships_own(login, statewide):
    """16:00 on 30 April in Los Angeles is 08:00 on 1 May in Tokyo: a referral
    the Tokyo partnership received then was sent on 1 May, in May."""
    tokyo = statewide["tokyo"]
    manager = manager_of(tokyo.health_system)
    clinic = SiteFactory(organization=tokyo.health_system)
    referral = Referral.objects.filter(partnership=tokyo).first()
    Referral.objects.filter(pk=referral.pk).update(
        clinic=clinic,
        submitted_at=datetime.datetime(2026, 4, 30, 23, 0, tzinfo=datetime.UTC),
    )
    client = login(manager)
    may_day = check(
        client, manager, f"start=2026-05-01&end=2026-05-01&clinic={clinic.pk}"
    )
    april = check(client, manager, f"end=2026-04-30&clinic={clinic.pk}")
    assert (may_day["figures"]["referred"], april["figures"]["referred"]) == (1, 0)
    assert may_day["tables"]["monthly"]["rows"][0][:2] == ["2026-05", 1]


def test_the_shared_csv_of_each_table_holds_the_sql_figures_suppressed(
    login, statewide
):
    manager = manager_of(statewide["first"].health_system)
    client = login(manager)
    data = client.get("/evaluation/?start=2026-01-01").context
    want = dashboard_sql.expected(manager, data["form"].filters())
    for key in TABLES:
        response = client.get(f"/evaluation/export/{key}.csv?start=2026-01-01")
        rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
        table = {**data["data"]["tables"][key], "rows": _with_hidden(key, want)}
        expected = table_for_display(table, shared=True)
        assert rows[1:] == [
            ["" if cell is None else str(cell) for cell in row]
            for row in expected["rows"]
        ], key
    assert_equal_to_a_rebuild()


def _with_hidden(key, want):
    """The funnel's rows carry the step before, which only suppression reads."""
    if key != "funnel":
        return want[key]
    counts = [row[1] for row in want["funnel"]]
    return [
        [*row, counts[i - 1] if i else None] for i, row in enumerate(want["funnel"])
    ]


def test_the_dataset_holds_one_row_per_cohort_patient_as_the_sql_has_it(
    reauthenticated, statewide
):
    manager = manager_of(statewide["first"].health_system)
    client = reauthenticated(manager)
    for query in ("", "start=2026-02-01&need=food-insecurity", "language=es"):
        response = client.get(f"/evaluation/export/dataset.csv?{query}")
        assert response.streaming
        rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
        form = client.get(f"/evaluation/?{query}").context["form"]
        want = dashboard_sql.expected_dataset(manager, form.filters())
        assert sorted(row[1:] for row in rows[1:]) == want, query
        assert len({row[0] for row in rows[1:]}) == len(want)
