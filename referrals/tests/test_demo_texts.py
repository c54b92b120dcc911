"""The demo shows a conversation: Nora and José texted, with consent on record."""

import pytest
from django.core.management import call_command

from partners.models import User
from referrals.models import TextConsent, TextMessage

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_conversation_on_a_referral(client):
    call_command("seed_demo", verbosity=0)
    texts = list(TextMessage.objects.order_by("created"))
    assert [t.direction for t in texts] == ["out", "in"]
    referral = texts[0].referral
    assert texts[1].referral == referral
    assert TextConsent.objects.filter(patient=referral.patient, given=True).exists()
    client.force_login(User.objects.get(email="navigator@example.org"))
    content = client.get(f"/referrals/{referral.code}/").content.decode()
    assert "Mañana después de las 10 está bien." in content
    assert "Delivered" in content
