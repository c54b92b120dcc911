import pytest
from django.core.management import call_command
from django.urls import reverse

from chwlink.lib.models import OutboundEmail
from referrals.models import Notification, NotificationPreference
from referrals.services import assignment, notifications
from referrals.tests.factories import ReferralFactory

LIST = reverse("referrals:notification-list")


@pytest.fixture
def assigned(partnership, supervisor, navigator):
    referral = ReferralFactory(partnership=partnership)
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    return referral


def test_assignment_notifies_the_navigator(login, navigator, assigned):
    client = login(navigator)
    assert client.get(reverse("referrals:notification-unread-count")).json() == {
        "unread": 1
    }
    content = client.get(LIST).content.decode()
    assert "Referral assigned to you" in content
    assert assigned.short_code in content


def test_opening_marks_read_and_goes_to_the_referral(login, navigator, assigned):
    notification = Notification.objects.get(recipient=navigator)
    client = login(navigator)
    response = client.get(
        reverse("referrals:notification-open", args=[notification.code])
    )
    assert response["Location"] == f"/referrals/{assigned.code}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(reverse("referrals:notification-unread-count")).json() == {
        "unread": 0
    }


def test_someone_elses_notification_is_404(login, navigator, outsiders, assigned):
    notification = Notification.objects.get(recipient=navigator)
    for user in outsiders.values():
        url = reverse("referrals:notification-open", args=[notification.code])
        assert login(user).get(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(login, navigator, assigned):
    client = login(navigator)
    client.post(reverse("referrals:notification-mark-all-read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_no_email_when_the_person_chose_none(login, partnership, supervisor, navigator):
    login(navigator).post(
        reverse("referrals:notification-settings"), {"email_mode": "none"}
    )
    assert NotificationPreference.objects.get(user=navigator).email_mode == "none"
    referral = ReferralFactory(partnership=partnership)
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    assert Notification.objects.filter(recipient=navigator).exists()
    assert not OutboundEmail.objects.filter(to=navigator.email).exists()


def test_digest_sends_one_email_for_the_day(partnership, supervisor, navigator):
    notifications.notification_preference_set(user=navigator, email_mode="digest")
    for _ in range(3):
        referral = ReferralFactory(partnership=partnership)
        assignment.referral_assign(
            referral=referral, actor=supervisor, navigator=navigator
        )
    assert not OutboundEmail.objects.filter(to=navigator.email).exists()
    assert notifications.digests_send() == 1
    digest = OutboundEmail.objects.get(to=navigator.email)
    assert "3 to look at" in digest.subject
    assert notifications.digests_send() == 0


def test_invalid_setting_is_refused_beside_the_field(login, navigator):
    response = login(navigator).post(
        reverse("referrals:notification-settings"), {"email_mode": "hourly"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_notification_list_queries_stay_constant(
    login, navigator, partnership, supervisor, django_assert_max_num_queries
):
    for _ in range(12):
        referral = ReferralFactory(partnership=partnership)
        assignment.referral_assign(
            referral=referral, actor=supervisor, navigator=navigator
        )
    client = login(navigator)
    # session, user, organization, count, page (+referral, clinic, patient),
    # the access record of the patients shown, session save (3)
    with django_assert_max_num_queries(9):
        client.get(LIST)


def test_schedule_command_lists_tasks_and_last_runs(capsys, db):
    from referrals.tasks import reminders_sweep_task

    reminders_sweep_task.apply()
    call_command("schedule")
    output = capsys.readouterr().out
    assert "reminders-sweep" in output
    assert "0 reminders sent" in output
    assert "digests-send" in output and "never ran" in output
