"""The "By clinic" table as it leaves chwlink: its CSV export hides a rate whose
referrals or closed count is 1–9 (even a rate of 0 %) and a median based on 1–9
contacted referrals, but shows a rate of 0 % over ten referrals; clinics come in
alphabetical order."""

import csv
import io

from evaluation.tests.factories import declined_referral, in_progress_referral
from partners.tests.factories import SiteFactory
from referrals.tests.factories import ReferralFactory

HEADERS = [
    "Clinic",
    "Referred",
    "Accepted",
    "Loop closed (any final outcome)",
    "Needs addressed",
    "Closed-loop rate (%)",
    "Median days to first contact",
    "Contacted",
]


def test_clinic_csv_hides_rates_and_medians_resting_on_small_counts(
    login, manager, partnership, supervisor, navigator, clinic, other_clinic
):
    team = {"partnership": partnership, "supervisor": supervisor}
    # South first, so the table's order is not the order of the referrals.
    ReferralFactory.create_batch(9, partnership=partnership, clinic=other_clinic)
    declined_referral(**team, clinic=other_clinic)
    ReferralFactory.create_batch(9, partnership=partnership, clinic=clinic)
    in_progress_referral(**team, navigator=navigator, clinic=clinic)
    east = SiteFactory(organization=partnership.health_system, name="East Clinic")
    ReferralFactory.create_batch(2, partnership=partnership, clinic=east)
    client = login(manager)

    response = client.get("/evaluation/export/clinics.csv")
    page = client.get("/evaluation/")

    assert list(csv.reader(io.StringIO(response.getvalue().decode()))) == [
        HEADERS,
        # Two referrals: even their 0 % is hidden.
        ["East Clinic", "<10", "0", "0", "0", "–", "", "0"],
        # One accepted and one contacted, the median of one contact hidden; and
        # its ten referrals hidden too (with its rate), else the 22 referred of
        # the funnel less the ten of each other clinic would give East's two.
        ["North Clinic", "–", "<10", "0", "0", "–", "–", "<10"],
        # One closed: its 10 % would give the count away.
        ["South Clinic", "10", "0", "<10", "0", "–", "", "0"],
    ]
    assert page.context["data"]["tables"]["clinics"]["rows"] == [
        ["East Clinic", 2, 0, 0, 0, 0.0, None, 0],
        ["North Clinic", 10, 1, 0, 0, 0.0, 0.0, 1],
        ["South Clinic", 10, 0, 1, 0, 10.0, None, 0],
    ]
    assert 'id="table-clinics">By clinic</h3>' in page.content.decode()
