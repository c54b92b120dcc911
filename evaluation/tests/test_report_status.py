"""The polled status of a report being built says where it stands, in words."""

from django.conf import settings
from django.urls import reverse

from evaluation.services import reports


def test_status_poll_names_the_state_in_the_users_language(login, partnership, manager):
    report = reports.report_request(user=manager, query={})
    client = login(manager)
    status_url = reverse("evaluation:report-status", args=[report.code])

    answer = client.get(status_url).json()
    assert answer == {
        "status": "queued",
        "status_label": "Waiting to start",
        "progress": 0,
    }

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    answer = client.get(status_url).json()
    assert answer["status_label"] == "En espera de iniciar"
