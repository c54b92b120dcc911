"""Scoped reads of screenings: a screening is seen by whoever sees its referral."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from referrals.access import may_screen
from referrals.models import Referral, Screening, ScreeningInstrument
from referrals.screening.definition import Instrument, instrument_from_data
from referrals.selectors import referral_scope_for_user


def screening_list_for_user(user) -> QuerySet[Screening]:
    visible = Referral.objects.filter(referral_scope_for_user(user))
    return Screening.objects.filter(referral__in=visible)


def screening_get_for_user(user, code) -> Screening:
    """The screening, its answers, referral and patient; 404 out of scope."""
    queryset = screening_list_for_user(user).select_related(
        "referral__partnership", "referral__patient", "instrument", "screened_by"
    )
    return get_object_or_404(queryset.prefetch_related(Prefetch("answers")), code=code)


def referral_screenings(referral) -> list[Screening]:
    """The referral's screenings, first to last (the referral is in scope)."""
    return list(
        referral.screenings.select_related("instrument", "screened_by").order_by(
            "screened_on", "created", "pk"
        )
    )


def instruments_offered() -> list[ScreeningInstrument]:
    return list(ScreeningInstrument.objects.filter(active=True).order_by("code"))


def instrument_offered(code: str) -> ScreeningInstrument | None:
    return ScreeningInstrument.objects.filter(active=True, code=code).first()


def instrument_of(row: ScreeningInstrument) -> Instrument:
    """The definition of a stored instrument (checked when it was loaded)."""
    return instrument_from_data(row.definition)


def screening_offers(user, referral, screenings) -> dict:
    """Which screening the referral's page offers the user: the first one (none
    came with the referral yet) or the rescreen before closing (once, with the
    first screening's instrument)."""
    first = [s for s in screenings if s.setting != Screening.Setting.CLOSURE]
    rescreened = any(s.setting == Screening.Setting.CLOSURE for s in screenings)
    setting = (
        Screening.Setting.INTAKE
        if referral.status == Referral.Status.DRAFT
        else Screening.Setting.FIRST_CONTACT
    )
    return {
        "can_screen": not first and may_screen(user, referral, setting),
        "can_rescreen": not rescreened
        and any(s.instrument_id for s in first)
        and may_screen(user, referral, Screening.Setting.CLOSURE),
    }
