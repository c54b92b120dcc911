"""What the provider tells chwlink: a text a patient sent to a partnership's
number, and what became of a text chwlink sent (a delivery receipt).

A received text is saved once per provider message id, put on the referral of the
one patient of the partnership with that number (a number two patients share is
left for a navigator to match, never guessed), and acted on when it is a keyword:
STOP opts the number out at once, START back in, HELP is answered with the CBO's
name and phone in the patient's language. Receipts are in ``receipts``."""

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse

from partners.models import User
from referrals.models import (
    OPEN_STATUSES,
    Notification,
    PartnershipTexting,
    Patient,
    Referral,
    TextMessage,
)
from referrals.phones import phone_parse
from referrals.services.notifications import notify
from referrals.texting import consent, keywords
from referrals.texting.outbox import text_queue
from referrals.texting.texts import text_render

Status = TextMessage.Status
Kind = TextMessage.Kind
SPANISH_KEYWORDS = {"alto", "parar", "para", "cancelar", "detener", "baja", "ayuda"}


class UnknownNumber(Exception):
    """The text was sent to a number no partnership texts from."""


def _patients(partnership, phone) -> list[Patient]:
    return list(
        Patient.objects.filter(health_system_id=partnership.health_system_id)
        .filter(Q(phone=phone) | Q(phone_alt=phone))
        .filter(referrals__partnership=partnership)
        .distinct()
    )


def _referral(partnership, patient) -> Referral:
    """The patient's referral the text belongs to: an open one, the newest."""
    return (
        Referral.objects.filter(partnership=partnership, patient=patient)
        .exclude(status=Referral.Status.DRAFT)
        .annotate(
            is_open=Case(
                When(status__in=OPEN_STATUSES, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("navigator", "partnership__cbo", "patient")
        .order_by("-is_open", "-created")
        .first()
    )


def _answer(kind, *, setup, referral, patients, phone, body):
    if len(patients) == 1:
        language = patients[0].preferred_language
    else:
        word = keywords._folded(body)
        language = "es" if word in SPANISH_KEYWORDS else "en"
    cbo = setup.partnership.cbo
    context = {"cbo": cbo.name, "cbo_phone": cbo.phone or ""}
    text_queue(
        partnership=setup.partnership,
        referral=referral,
        phone=phone,
        body=text_render(kind, language=language, context=context),
        kind=kind,
    )


def inbound_receive(*, sid: str, sender: str, to: str, body: str):
    """Save a text a patient sent; the same provider message id again is the text
    already saved (returned, nothing done twice)."""
    setup = (
        PartnershipTexting.objects.select_related("partnership__cbo")
        .filter(number=phone_parse(to) or to)
        .first()
    )
    if setup is None:
        raise UnknownNumber(to)
    phone = phone_parse(sender)
    if phone is None:
        return None
    partnership = setup.partnership
    with transaction.atomic():
        if found := TextMessage.objects.filter(provider_id=sid).first():
            return found
        patients = _patients(partnership, phone)
        referral = _referral(partnership, patients[0]) if len(patients) == 1 else None
        try:
            with transaction.atomic():
                message = TextMessage.objects.create(
                    partnership=partnership,
                    referral=referral,
                    direction=TextMessage.Direction.IN,
                    kind=Kind.REPLY,
                    phone=phone,
                    body=body[:5000],
                    status=Status.RECEIVED,
                    provider_id=sid,
                )
        except IntegrityError:
            # The same text delivered twice at once: the first one stands.
            return TextMessage.objects.get(provider_id=sid)
        keyword = keywords.keyword_of(body)
        answer = {
            "setup": setup,
            "referral": referral,
            "patients": patients,
            "phone": phone,
        }
        if keyword == "stop":
            consent.keyword_stop(
                partnership=partnership, phone=phone, patients=patients
            )
        elif keyword == "start":
            consent.keyword_start(
                partnership=partnership, phone=phone, patients=patients
            )
            _answer(Kind.START, body=body, **answer)
        elif keyword == "help":
            _answer(Kind.HELP, body=body, **answer)
        _tell(partnership, referral)
        return message


def _tell(partnership, referral) -> None:
    if referral is None:
        notify(
            kind=Notification.Kind.TEXT_TO_MATCH,
            link=reverse("referrals:texts-to-match"),
            recipients=User.objects.filter(
                organization_id=partnership.cbo_id,
                role=User.Role.SUPERVISOR,
                is_active=True,
            ),
        )
    elif referral.navigator is not None:
        notify(
            kind=Notification.Kind.TEXT_RECEIVED,
            recipients=[referral.navigator],
            referral=referral,
        )
