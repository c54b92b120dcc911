"""Every table on the dashboard has a download link, and each link gives that
table's CSV; the default utilization window is six months each side."""

import re

from referrals.tests.factories import ReferralFactory

TABLES = [
    "kpis",
    "funnel",
    "monthly",
    "navigators",
    "clinics",
    "screening",
    "pam_change",
    "pam_levels",
    "utilization",
    "themes",
]


def test_each_table_on_the_dashboard_downloads_as_csv(login, manager, partnership):
    ReferralFactory(partnership=partnership)
    client = login(manager)

    page = client.get("/evaluation/").content.decode()

    links = re.findall(r'href="/evaluation/export/([a-z_]+)\.csv"', page)
    # The de-identified dataset and the funder stories are exports of their own.
    assert links == ["dataset", *TABLES, "stories"]
    for table in TABLES:
        response = client.get(f"/evaluation/export/{table}.csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
    assert "6 months each side of enrollment" in page
