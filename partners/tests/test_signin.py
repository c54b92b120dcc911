import datetime

import time_machine
from django.core import mail
from django.urls import reverse

from chwlink.lib import outbox
from chwlink.lib.models import OutboundEmail
from partners import services
from partners.tests.factories import PASSWORD

LOGIN = reverse("account_login")


def sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_correct_password_lands_on_the_role_home(client, navigator):
    response = sign_in(client, navigator.email)
    assert response.status_code == 302
    assert response["Location"] == "/referrals/caseload/"


def test_e_mail_is_matched_whatever_its_case(client, navigator):
    response = sign_in(client, navigator.email.upper())
    assert response["Location"] == "/referrals/caseload/"


def test_wrong_password_shows_an_error_and_keeps_the_e_mail(client, navigator):
    response = sign_in(client, navigator.email, "not-the-password")
    assert response.status_code == 200
    content = response.content.decode()
    assert "not correct" in content
    assert navigator.email in content


def test_five_failures_lock_the_account_for_fifteen_minutes(client, navigator):
    for _ in range(5):
        sign_in(client, navigator.email, "wrong-password")
    response = sign_in(client, navigator.email)
    assert response.status_code == 429
    assert b"Sign-in is paused" in response.content
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=16)
    with time_machine.travel(later):
        assert sign_in(client, navigator.email).status_code == 302


def test_deactivated_user_cannot_sign_in(client, navigator):
    services.user_deactivate(user=navigator)
    response = sign_in(client, navigator.email)
    assert response.status_code != 302 or "inactive" in response["Location"]


def test_idle_session_is_signed_out_after_fifteen_minutes(client, navigator):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, navigator.email)
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get("/referrals/caseload/").status_code == 200
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get("/referrals/caseload/").status_code == 200
        clock.shift(datetime.timedelta(minutes=16))
        response = client.get("/referrals/caseload/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_background_polling_does_not_keep_a_session_alive(client, navigator):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, navigator.email)
        for _ in range(3):
            clock.shift(datetime.timedelta(minutes=6))
            client.get("/referrals/caseload/", headers={"X-CHWLink-Background": "1"})
        response = client.get("/referrals/caseload/")
    assert response.status_code == 302


def test_deactivation_ends_open_sessions(client, navigator):
    sign_in(client, navigator.email)
    assert client.get("/referrals/caseload/").status_code == 200
    services.user_deactivate(user=navigator)
    assert client.get("/referrals/caseload/").status_code == 302


def test_sign_out_ends_the_session(client, navigator):
    sign_in(client, navigator.email)
    client.post(reverse("account_logout"))
    assert client.get("/referrals/caseload/").status_code == 302


def test_password_reset_mail_is_queued_then_sent(
    client, navigator, django_capture_on_commit_callbacks, monkeypatch
):
    sent_ids = []
    monkeypatch.setattr(
        "chwlink.lib.outbox.email_send_task.delay", lambda pk: sent_ids.append(pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": navigator.email})
    email = OutboundEmail.objects.get(to=navigator.email)
    assert sent_ids == [email.pk]
    assert outbox.email_send(email_id=email.pk) is True
    assert outbox.email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
