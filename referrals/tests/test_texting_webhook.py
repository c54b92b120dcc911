"""The provider's webhook: signed requests only, a replay changes nothing, the
same message id twice is one text, a number two patients share is left for a
navigator to match, and delivery receipts never go backwards."""

import pytest
from twilio.request_validator import RequestValidator

from chwlink.lib.models import AccessRecord
from referrals.models import Notification, TextMessage
from referrals.tests import states
from referrals.tests.factories import PatientFactory
from referrals.tests.texting import SENDING_NUMBER, texting_on, texting_referral
from referrals.texting import outbox

pytestmark = pytest.mark.django_db
TOKEN = "webhook-token"
INBOUND = "/texting/twilio/inbound/"
STATUS = "/texting/twilio/status/"


@pytest.fixture(autouse=True)
def signed_by_twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TEXTING_WEBHOOK_BASE_URL = ""
    settings.SMS_BACKEND = "referrals.texting.backends.MemoryBackend"


def signature(path, params, token=TOKEN):
    return RequestValidator(token).compute_signature(f"http://testserver{path}", params)


def post(client, path, params, *, sign=True, token=TOKEN):
    headers = {"X-Twilio-Signature": signature(path, params, token)} if sign else {}
    return client.post(path, params, headers=headers)


def inbound(phone, body="Hola", sid="SM1"):
    return {"MessageSid": sid, "From": phone, "To": SENDING_NUMBER, "Body": body}


@pytest.fixture
def referral(clinic_user, supervisor, navigator):
    return texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )


def test_a_signed_reply_lands_on_the_referral_and_notifies_the_navigator(
    client, referral, navigator
):
    response = post(client, INBOUND, inbound(referral.patient.phone.as_e164))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    message = TextMessage.objects.get(direction="in")
    assert (message.referral, message.body, message.status) == (
        referral,
        "Hola",
        "received",
    )
    assert Notification.objects.filter(
        recipient=navigator, kind="text_received", referral=referral
    ).exists()


@pytest.mark.parametrize("sign", ["none", "wrong token", "other params"])
def test_unsigned_or_wrongly_signed_requests_are_refused(client, referral, sign):
    params = inbound(referral.patient.phone.as_e164)
    if sign == "none":
        response = post(client, INBOUND, params, sign=False)
    elif sign == "wrong token":
        response = post(client, INBOUND, params, token="not-the-token")
    else:
        headers = {"X-Twilio-Signature": signature(INBOUND, params)}
        response = client.post(INBOUND, params | {"Body": "STOP"}, headers=headers)
    assert response.status_code == 403
    assert not TextMessage.objects.exists()


def test_a_replayed_request_changes_nothing(client, referral):
    params = inbound(referral.patient.phone.as_e164, body="STOP")
    assert post(client, INBOUND, params).status_code == 200
    assert post(client, INBOUND, params).status_code == 409
    assert TextMessage.objects.filter(direction="in").count() == 1


def test_the_same_message_id_sent_again_is_one_text(client, referral):
    phone = referral.patient.phone.as_e164
    assert post(client, INBOUND, inbound(phone, "Hola")).status_code == 200
    # Another request (another signature) carrying the same message id.
    again = inbound(phone, "Hola") | {"NumMedia": "0"}
    assert post(client, INBOUND, again).status_code == 200
    assert TextMessage.objects.filter(provider_id="SM1").count() == 1
    assert Notification.objects.filter(kind="text_received").count() == 1


def test_a_number_two_patients_share_is_not_guessed(
    client, referral, clinic_user, supervisor, navigator
):
    sister = PatientFactory(
        health_system=clinic_user.organization,
        phone=referral.patient.phone,
        created_by=clinic_user,
    )
    other = states.in_progress_referral(
        clinic_user=clinic_user,
        supervisor=supervisor,
        navigator=navigator,
        patient=sister,
    )
    post(client, INBOUND, inbound(referral.patient.phone.as_e164))
    message = TextMessage.objects.get(direction="in")
    assert message.referral is None
    notice = Notification.objects.get(recipient=supervisor, kind="text_to_match")
    assert notice.link == "/referrals/texts/to-match/"
    page = client
    page.force_login(supervisor)
    content = page.get("/referrals/texts/to-match/").content.decode()
    assert referral.patient.full_name in content and sister.full_name in content
    response = page.post(
        f"/referrals/texts/{message.code}/match/", {"referral": other.code}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.referral == other


def test_a_number_is_matched_only_within_the_partnership_texted(
    client, referral, outsiders, other_partnership
):
    texting_on(other_partnership, number="+15035550199")
    params = inbound(referral.patient.phone.as_e164) | {"To": "+15035550199"}
    post(client, INBOUND, params)
    message = TextMessage.objects.get(direction="in")
    assert message.partnership == other_partnership
    assert message.referral is None


def test_a_text_to_an_unknown_number_is_refused(client, referral):
    params = inbound(referral.patient.phone.as_e164) | {"To": "+15035550111"}
    assert post(client, INBOUND, params).status_code == 404


def test_delivery_receipts_move_forward_only(client, referral, navigator):
    from referrals.texting import conversation

    message = conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body="Hola"
    )
    outbox.text_send(message_id=message.pk)
    message.refresh_from_db()
    for status in ("delivered", "sent"):
        params = {"MessageSid": message.provider_id, "MessageStatus": status}
        assert post(client, STATUS, params).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"


def test_a_webhook_request_never_opens_a_session_page(client):
    response = client.get(INBOUND)
    assert response.status_code == 405


def test_texts_to_match_page_by_page_in_constant_queries_and_audited(
    client, referral, supervisor, django_assert_max_num_queries
):
    for number in range(30):
        post(client, INBOUND, inbound(f"+1503555{9000 + number}", sid=f"SMu{number}"))
    client.force_login(supervisor)
    with django_assert_max_num_queries(14):
        first = client.get("/referrals/texts/to-match/").content.decode()
    last = client.get("/referrals/texts/to-match/?page=2").content.decode()
    # Newest first, 25 a page, the rest on page 2.
    assert "+1 503-555-9029" in first and "+1 503-555-9005" in first
    assert "+1 503-555-9004" not in first and "+1 503-555-9004" in last
    assert "Page 1 of 2" in first
    record = AccessRecord.objects.filter(user=supervisor).latest("pk")
    assert (record.object_type, record.action) == ("referral", "list")
