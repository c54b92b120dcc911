"""The navigator filter keeps that navigator's referrals only: not another
navigator's, and not those nobody has been assigned yet."""

from evaluation.tests.factories import caseload_referral
from partners.tests.factories import UserFactory
from referrals.tests.factories import ReferralFactory


def test_navigator_filter_counts_only_that_navigators_referrals(
    login, manager, partnership, supervisor, navigator
):
    team = {"partnership": partnership, "supervisor": supervisor}
    ReferralFactory.create_batch(3, partnership=partnership)
    for _ in range(2):
        caseload_referral(**team, navigator=navigator)
    other = UserFactory(role="navigator", organization=partnership.cbo)
    caseload_referral(**team, navigator=other)

    data = login(manager).get(f"/evaluation/?navigator={navigator.pk}").context["data"]

    assert data["figures"]["referred"] == 2
    assert data["tables"]["funnel"]["rows"][2][:2] == ["Navigator assigned", 2]
