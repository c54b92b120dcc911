"""Demo texts: Familias Unidas texts its patients, and José and Nora have a short
conversation on his referral (consent recorded, an introduction delivered, his
reply, a visit tomorrow). Saved as rows: the demo sends nothing."""

import datetime

from django.utils import timezone

from referrals.models import (
    PartnershipTexting,
    ScheduledVisit,
    TextConsent,
    TextMessage,
)
from referrals.texting.texts import context_for, text_render

DEMO_NUMBER = "+15035550100"


def seed_texts(partnership, referral, navigator) -> None:
    PartnershipTexting.objects.get_or_create(
        partnership=partnership,
        defaults={"number": DEMO_NUMBER, "on_assigned": True, "on_visit": True},
    )
    patient = referral.patient
    TextConsent.objects.create(
        patient=patient,
        phone=patient.phone,
        given=True,
        method=TextConsent.Method.VERBAL,
        recorded_by=navigator,
    )
    now = timezone.now()
    intro = TextMessage.objects.create(
        partnership=partnership,
        referral=referral,
        direction=TextMessage.Direction.OUT,
        kind=TextMessage.Kind.INTRO,
        phone=patient.phone,
        body=text_render(
            "intro",
            language=patient.preferred_language,
            context=context_for(referral, navigator=navigator),
        ),
        status=TextMessage.Status.DELIVERED,
        provider_id="demo-intro",
        sent_by=navigator,
        attempts=1,
        sent_at=now - datetime.timedelta(hours=3),
    )
    reply = TextMessage.objects.create(
        partnership=partnership,
        referral=referral,
        direction=TextMessage.Direction.IN,
        kind=TextMessage.Kind.REPLY,
        phone=patient.phone,
        body="Sí, gracias. Mañana después de las 10 está bien.",
        status=TextMessage.Status.RECEIVED,
        provider_id="demo-reply",
    )
    TextMessage.objects.filter(pk=intro.pk).update(
        created=now - datetime.timedelta(hours=3)
    )
    TextMessage.objects.filter(pk=reply.pk).update(
        created=now - datetime.timedelta(hours=2)
    )
    ScheduledVisit.objects.create(
        referral=referral,
        starts_at=now + datetime.timedelta(days=1),
        created_by=navigator,
    )
