"""The provider's webhook: signed by the provider, never a session page (see
``tests/security/conftest.py``, and its own tests in referrals/tests)."""

from django.urls import path

from referrals.views import texting_webhook

app_name = "texting-webhook"

urlpatterns = [
    path("twilio/inbound/", texting_webhook.twilio_inbound, name="twilio-inbound"),
    path("twilio/status/", texting_webhook.twilio_status, name="twilio-status"),
]
