"""Each person's bell counts and lists their own unread notifications only."""

from django.urls import reverse

from referrals.models import Notification
from referrals.tests.factories import ReferralFactory
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
    # The supervisor's "new referral" was handled by the assignment itself.
    assert login(supervisor).get(UNREAD).json() == {"unread": 0}


def test_opening_one_of_several_notifications_goes_to_its_own_referral(
    login, partnership, supervisor, navigator
):
    first, second = (
        assigned_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
        for _ in range(2)
    )
    notification = Notification.objects.get(recipient=navigator, referral=second)
    response = login(navigator).get(
        reverse("referrals:notification-open", args=[notification.code])
    )
    assert response["Location"] == f"/referrals/{second.code}/"


def test_the_settings_page_shows_the_e_mail_choice_made(login, supervisor, navigator):
    client = login(navigator)
    settings_url = reverse("referrals:notification-settings")
    client.post(settings_url, {"email_mode": "digest"})
    assert client.get(settings_url).context["form"]["email_mode"].value() == "digest"
    assert (
        login(supervisor).get(settings_url).context["form"]["email_mode"].value()
        == "immediate"
    )
