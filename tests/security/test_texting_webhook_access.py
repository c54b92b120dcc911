"""The texting webhook is the provider's, not a session page: whoever asks, signed
in or not, a request without the provider's valid signature is refused and
changes nothing; nothing but POST is answered."""

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from referrals.models import TextMessage, TextOptOut
from referrals.texting import urls as texting_urls

pytestmark = pytest.mark.django_db
NAMES = [f"texting-webhook:{p.name}" for p in texting_urls.urlpatterns]


@pytest.fixture(autouse=True)
def token(settings):
    settings.TWILIO_AUTH_TOKEN = "security-token"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("who", ["anonymous", "supervisor", "administrator"])
def test_unsigned_requests_are_refused_for_everyone(
    client, name, who, supervisor, administrator
):
    if who != "anonymous":
        client.force_login(
            {"supervisor": supervisor, "administrator": administrator}[who]
        )
    url = reverse(name)
    params = {
        "MessageSid": "SM1",
        "From": "+15035550142",
        "To": "+15035550100",
        "Body": "STOP",
        "MessageStatus": "delivered",
    }
    assert client.get(url).status_code == 405
    assert client.post(url, params).status_code == 403
    forged = RequestValidator("guessed").compute_signature(
        f"http://testserver{url}", params
    )
    response = client.post(url, params, headers={"X-Twilio-Signature": forged})
    assert response.status_code == 403
    assert not TextMessage.objects.exists() and not TextOptOut.objects.exists()


def test_without_a_configured_token_nothing_is_accepted(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    url = reverse("texting-webhook:twilio-inbound")
    params = {"MessageSid": "SM1", "From": "+15035550142", "To": "+15035550100"}
    signature = RequestValidator("").compute_signature(
        f"http://testserver{url}", params
    )
    response = client.post(url, params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
