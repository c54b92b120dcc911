"""The admin lists of large tables never count the whole table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.tests.factories import ReferralFactory


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:referrals_referral_changelist",
        "admin:referrals_patient_changelist",
        "admin:plumbing_accessrecord_changelist",
        "admin:evaluation_pamadministration_changelist",
    ],
)
def test_a_large_tables_admin_list_counts_a_bounded_number_of_rows(
    login, administrator, partnership, changelist
):
    ReferralFactory(partnership=partnership)
    client = login(administrator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(changelist))
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list says how many rows it shows"
    assert all("LIMIT" in sql for sql in counts)


def test_a_large_tables_admin_list_shows_the_apps_page_length(
    login, administrator, partnership
):
    referrals = [ReferralFactory(partnership=partnership) for _ in range(26)]
    client = login(administrator)
    url = reverse("admin:referrals_referral_changelist")
    first = client.get(url).content.decode()
    second = client.get(url, {"p": 2}).content.decode()
    codes = [referral.short_code for referral in referrals]
    assert sum(code in first for code in codes) == 25
    assert sum(code in second for code in codes) == 1


@pytest.mark.parametrize(
    "changelist",
    ["admin:referrals_referral_changelist", "admin:referrals_patient_changelist"],
)
def test_the_admins_search_finds_a_patient_without_accents(
    login, administrator, partnership, changelist
):
    ReferralFactory(
        partnership=partnership,
        patient__first_name="María",
        patient__last_name="Hernández",
        patient__mrn="WH-77",
    )
    ReferralFactory(partnership=partnership, patient__last_name="Campos")
    client = login(administrator)
    for typed in ("Hernandez, Maria", "wh-77"):
        response = client.get(reverse(changelist), {"q": typed})
        rows = response.context["cl"].result_list
        assert len(rows) == 1, typed
