"""Each person's bell counts and lists their own unread notifications only."""

from django.urls import reverse

from referrals.tests.states import assigned_referral

UNREAD = reverse("referrals:notification-unread-count")
LIST = reverse("referrals:notification-list")


def test_the_bell_counts_only_ones_own_unread_notifications(
    login, clinic_user, supervisor, navigator
):
    # The supervisor hears of the new referral, the navigator of the assignment.
    assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    client = login(navigator)
    assert client.get(UNREAD).json() == {"unread": 1}
    page = client.get(LIST).content.decode()
    assert "Referral assigned to you" in page
    assert "New referral in the inbox" not in page
    assert login(supervisor).get(UNREAD).json() == {"unread": 1}
