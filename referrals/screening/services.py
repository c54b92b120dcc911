"""Writing screenings: loading an instrument, recording a screening (here or
elsewhere) and turning its positives into the referral's needs."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.access import is_administrator
from partners.models import User
from referrals.access import may_review_screening_needs, may_screen
from referrals.choices import SocialNeed
from referrals.models import Referral, Screening, ScreeningAnswer, ScreeningInstrument
from referrals.screening.definition import InstrumentInvalid, instrument_from_data
from referrals.screening.scoring import DECLINED, AnswersInvalid, chosen, score
from referrals.services.workflow import WorkflowError, conflict_for

Setting = Screening.Setting
# A positive safety answer suggests the "do not contact directly" flag; it never
# becomes a need of the referral, which travels in notifications and exports.
PRIVATE_DOMAINS = frozenset({SocialNeed.INTIMATE_PARTNER_VIOLENCE})


class ScreeningRefused(WorkflowError):
    """The screening cannot be recorded as given (the message says why)."""


def instrument_load(*, data, actor: User | None = None) -> ScreeningInstrument:
    """Store a new version of an instrument and offer it for new screenings (the
    earlier version stays for the screenings made with it). The file must follow
    the format, and a version is loaded once."""
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied
    try:
        instrument = instrument_from_data(data)
    except InstrumentInvalid as error:
        raise ScreeningRefused(str(error)) from None
    with transaction.atomic():
        versions = ScreeningInstrument.objects.select_for_update().filter(
            code=instrument.code
        )
        if any(row.version == instrument.version for row in versions):
            raise ScreeningRefused(
                _(
                    "Version %(version)s of %(code)s is already loaded: give the "
                    "new file another version."
                )
                % {"version": instrument.version, "code": instrument.code}
            )
        versions.update(active=False)
        return ScreeningInstrument.objects.create(
            code=instrument.code,
            version=instrument.version,
            title=instrument.title_in("en")[:200],
            definition=data,
            loaded_by=actor,
        )


def _locked_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _check_setting(actor, referral: Referral, setting: str, code: str) -> None:
    if not may_screen(actor, referral, setting):
        raise PermissionDenied
    earlier = referral.screenings.exclude(setting=Setting.CLOSURE)
    if setting == Setting.FIRST_CONTACT and earlier.exists():
        raise ScreeningRefused(
            _("This referral already has a screening; rescreen when it closes.")
        )
    if (
        setting == Setting.CLOSURE
        and not earlier.filter(elsewhere=False, instrument__code=code).exists()
    ):
        raise ScreeningRefused(
            _("A rescreen at closing repeats the instrument of the first screening.")
        )


def screening_record(
    *,
    actor: User,
    referral: Referral,
    instrument: ScreeningInstrument,
    version: str,
    setting: str,
    language: str,
    answers: dict,
    asked_privately: bool,
) -> Screening:
    """Score the answers with the instrument and record them, each answer or
    "declined". Refused: another version than the one in use, answers that do not
    fit it, a second first-contact screening, a rescreen with another instrument."""
    if not instrument.active or instrument.version != version:
        raise ScreeningRefused(
            _(
                "The form was for version %(given)s of %(title)s; version "
                "%(current)s is in use now. Open the screening again."
            )
            % {
                "given": version,
                "title": instrument.title,
                "current": instrument.version,
            }
        )
    definition = instrument_from_data(instrument.definition)
    try:
        result = score(definition, answers, asked_privately=asked_privately)
    except AnswersInvalid as error:
        raise ScreeningRefused(str(error)) from None
    with transaction.atomic():
        referral = _locked_referral(referral)
        _check_setting(actor, referral, setting, instrument.code)
        screening = Screening.objects.create(
            patient_id=referral.patient_id,
            referral=referral,
            instrument=instrument,
            setting=setting,
            language=language,
            screened_by=actor,
            screened_on=timezone.localdate(),
            asked_privately=asked_privately,
            positive_domains=result.positive_domains,
            negative_domains=result.negative_domains,
        )
        ScreeningAnswer.objects.bulk_create(
            _answer_rows(screening, answers, result.positive_answers)
        )
    return screening


def _answer_rows(screening, answers: dict, positive: frozenset):
    """A row per answer chosen (several for a "check all that apply" item), or
    one declined row."""
    for code, answer in answers.items():
        if answer == DECLINED:
            yield ScreeningAnswer(screening=screening, item_code=code, declined=True)
        for given in chosen(answer):
            yield ScreeningAnswer(
                screening=screening,
                item_code=code,
                answer_code=given,
                positive=(code, given) in positive,
            )


def screening_elsewhere_record(
    *,
    actor: User,
    referral: Referral,
    screened_on: datetime.date,
    positive_domains: list[str],
) -> Screening:
    """The clinic reports a screening done elsewhere: its date and positives."""
    if screened_on > timezone.localdate():
        raise ScreeningRefused(_("The screening date cannot be in the future."))
    unknown = set(positive_domains) - set(SocialNeed.values)
    if unknown:
        raise ScreeningRefused(
            _("Unknown social needs: %s.") % ", ".join(sorted(unknown))
        )
    with transaction.atomic():
        referral = _locked_referral(referral)
        if not may_screen(actor, referral, Setting.INTAKE):
            raise PermissionDenied
        return Screening.objects.create(
            patient_id=referral.patient_id,
            referral=referral,
            setting=Setting.INTAKE,
            elsewhere=True,
            language=referral.patient.preferred_language,
            screened_by=actor,
            screened_on=screened_on,
            positive_domains=list(dict.fromkeys(positive_domains)),
        )


def proposed_needs(screening: Screening) -> list[str]:
    """The positives that may become needs of the referral."""
    return [d for d in screening.positive_domains if d not in PRIVATE_DOMAINS]


def screening_needs_review(
    *, actor: User, screening: Screening, confirmed: list[str], expected_version: int
) -> Referral:
    """Add the positives confirmed with the patient to the referral's needs (the
    others stay only on the screening). Once per screening; a stale referral
    (changed since the page was read) is refused."""
    if not may_review_screening_needs(actor, screening):
        raise PermissionDenied
    strangers = set(confirmed) - set(proposed_needs(screening))
    if strangers:
        raise ScreeningRefused(_("Only the screening's positives can be confirmed."))
    with transaction.atomic():
        claimed = Screening.objects.filter(
            pk=screening.pk, needs_reviewed_at__isnull=True
        ).update(needs_reviewed_at=timezone.now(), confirmed_domains=confirmed)
        if not claimed:
            raise ScreeningRefused(_("These needs were already reviewed."))
        referral = screening.referral
        needs = list(dict.fromkeys([*referral.social_needs, *confirmed]))
        updated = Referral.objects.filter(
            pk=referral.pk, version=expected_version
        ).update(social_needs=needs, version=F("version") + 1, updated=timezone.now())
        if not updated:
            raise conflict_for(referral)
    referral.refresh_from_db()
    return referral


def suggests_do_not_contact(screening: Screening) -> bool:
    """A positive safety screening suggests "do not contact directly" until the
    patient's record has it."""
    private = PRIVATE_DOMAINS & set(screening.positive_domains)
    return bool(private) and not screening.referral.patient.do_not_contact
