"""The provider's calls: a text a patient sent, and delivery receipts.

Not session pages: the provider signs each request (``X-Twilio-Signature``, an
HMAC of the URL and the parameters with the account's auth token). An unsigned or
wrongly signed request is refused (403); the same signed request again (a replay)
changes nothing (409)."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from referrals.models import TextWebhookDelivery
from referrals.texting import receipts, webhook

logger = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed_url(request) -> str:
    base = settings.TEXTING_WEBHOOK_BASE_URL
    if base:
        return base.rstrip("/") + request.get_full_path()
    return request.build_absolute_uri()


def _verified(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.TWILIO_AUTH_TOKEN
    if not signature or not token:
        return False
    validator = RequestValidator(token)
    return validator.validate(_signed_url(request), request.POST.dict(), signature)


def provider_call(handle):
    """Verify the signature, refuse a replay, run ``handle(params)`` in one
    transaction with the replay record."""

    @csrf_exempt
    @login_not_required
    @require_POST
    def view(request):
        if not _verified(request):
            logger.warning("Texting webhook: unsigned or wrongly signed request")
            return HttpResponseForbidden()
        seen = hashlib.sha256(
            request.headers["X-Twilio-Signature"].encode()
        ).hexdigest()
        try:
            with transaction.atomic():
                TextWebhookDelivery.objects.create(signature=seen)
                handle(request.POST)
        except IntegrityError:
            if TextWebhookDelivery.objects.filter(signature=seen).exists():
                return HttpResponse(status=409)
            raise
        except webhook.UnknownNumber:
            return HttpResponse(status=404)
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")

    view.__name__ = handle.__name__
    return view


@provider_call
def twilio_inbound(params):
    webhook.inbound_receive(
        sid=params.get("MessageSid", params.get("SmsSid", "")),
        sender=params.get("From", ""),
        to=params.get("To", ""),
        body=params.get("Body", ""),
    )


@provider_call
def twilio_status(params):
    receipts.receipt_receive(
        sid=params.get("MessageSid", ""), status=params.get("MessageStatus", "")
    )
