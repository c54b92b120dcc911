"""Recording PAM administrations and managing licensed conversion tables."""

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from evaluation.access import keeps_data_of, manages_program
from evaluation.models import (
    PAM_ITEMS,
    CutSet,
    PamAdministration,
    PamConversionTable,
    ScoreSource,
)
from evaluation.statistics import pam_level, pam_raw
from partners.languages import LANGUAGE_NAMES
from partners.models import Partnership, User
from referrals.access import navigates
from referrals.selectors import referral_list_for_user

TABLE_HEADER = ["answered", "raw_sum", "score"]
WORDING_HEADER = ["language", "item", "text"]


def pam_active_table(*, partnership: Partnership) -> PamConversionTable | None:
    """The licensed table in force for the partnership: its health system's, else
    its CBO's."""
    tables = PamConversionTable.objects.filter(
        Q(organization_id=partnership.health_system_id)
        | Q(organization_id=partnership.cbo_id),
        is_active=True,
    )
    by_org = {table.organization_id: table for table in tables}
    return by_org.get(partnership.health_system_id) or by_org.get(partnership.cbo_id)


def _validate_answers(answers: list) -> None:
    if len(answers) != len(PAM_ITEMS):
        raise ValidationError(_("Answer all 13 items (N/A is an answer)."))
    if any(answer not in (None, 1, 2, 3, 4) for answer in answers):
        raise ValidationError(_("Each answer is 1 to 4, or N/A."))
    if all(answer is None for answer in answers):
        raise ValidationError(_("At least one item needs an answer other than N/A."))


def _score(*, partnership, raw: dict, manual_score, manual_cut_set) -> dict:
    if manual_score is not None:
        if manual_cut_set not in CutSet.values:
            raise ValidationError(_("Say which cut-point set the scorer used."))
        return {
            "score": manual_score,
            "score_source": ScoreSource.MANUAL,
            "cut_set": manual_cut_set,
            "level": pam_level(manual_score, manual_cut_set),
            "conversion_table": None,
        }
    table = pam_active_table(partnership=partnership)
    key = f"{raw['answered']}:{raw['raw_sum']}"
    if table is None or key not in table.rows:
        return {"score_source": ScoreSource.NONE}
    score = Decimal(str(table.rows[key]))
    return {
        "score": score,
        "score_source": ScoreSource.TABLE,
        "cut_set": table.cut_set,
        "level": pam_level(score, table.cut_set),
        "conversion_table": table,
    }


@claims_form_token
def pam_record(
    *,
    actor: User,
    patient,
    administered_on: datetime.date,
    language: str,
    mode: str,
    kind: str,
    answers: list,
    manual_score: Decimal | None = None,
    manual_cut_set: str = "",
) -> PamAdministration:
    """Record a PAM given by a navigator to a patient on their caseload.

    Stores raw sum, items answered and the extreme-response flag; the score comes
    from the manual entry, else the active licensed table, else none. A follow-up
    needs an earlier baseline.
    """
    referral = (
        referral_list_for_user(actor)
        .filter(patient=patient)
        .order_by("-submitted_at")
        .first()
    )
    if not navigates(actor) or referral is None:
        raise PermissionDenied
    _validate_answers(answers)
    if administered_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if manual_score is not None and not 0 <= manual_score <= 100:
        raise ValidationError(_("A PAM score is between 0 and 100."))
    has_baseline = PamAdministration.objects.filter(
        patient=patient,
        kind=PamAdministration.Kind.BASELINE,
        administered_on__lte=administered_on,
    ).exists()
    if kind == PamAdministration.Kind.FOLLOW_UP and not has_baseline:
        raise ValidationError(_("Record the baseline before a follow-up."))
    raw = pam_raw(answers)
    scoring = _score(
        partnership=referral.partnership,
        raw=raw,
        manual_score=manual_score,
        manual_cut_set=manual_cut_set,
    )
    with transaction.atomic():
        return PamAdministration.objects.create(
            patient=patient,
            partnership=referral.partnership,
            administered_on=administered_on,
            administered_by=actor,
            language=language,
            mode=mode,
            kind=kind,
            answers=answers,
            **raw,
            **scoring,
        )


def _read_csv(text: str, header: list[str], what: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    found = [name.strip().lower() for name in reader.fieldnames or []]
    if found != header:
        raise ValidationError(
            _("The %(what)s file needs the columns %(columns)s.")
            % {"what": what, "columns": ", ".join(header)}
        )
    return [
        (number, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
        for number, row in enumerate(reader, start=2)
    ]


def _parse_table_row(number: int, row: dict, errors: list) -> tuple | None:
    try:
        answered = int(row["answered"])
        raw_sum = int(row["raw_sum"])
        score = Decimal(row["score"])
    except (ValueError, InvalidOperation):
        errors.append(
            _("Line %(n)d: answered, raw_sum and score must be numbers.")
            % {"n": number}
        )
        return None
    if not 1 <= answered <= 13:
        errors.append(_("Line %(n)d: answered must be 1 to 13.") % {"n": number})
    elif not answered <= raw_sum <= 4 * answered:
        errors.append(
            _(
                "Line %(n)d: with %(a)d items answered the raw sum is "
                "%(low)d to %(high)d."
            )
            % {"n": number, "a": answered, "low": answered, "high": 4 * answered}
        )
    elif not 0 <= score <= 100 or score != score.quantize(Decimal("0.1")):
        errors.append(
            _("Line %(n)d: the score is 0 to 100 with one decimal.") % {"n": number}
        )
    else:
        return answered, raw_sum, score
    return None


def _parse_table(text: str) -> dict:
    errors, rows = [], {}
    for number, row in _read_csv(text, TABLE_HEADER, _("conversion table")):
        parsed = _parse_table_row(number, row, errors)
        if parsed is None:
            continue
        answered, raw_sum, score = parsed
        key = f"{answered}:{raw_sum}"
        if key in rows:
            errors.append(
                _("Line %(n)d: this raw sum is listed twice.") % {"n": number}
            )
        rows[key] = str(score)
    if not rows and not errors:
        errors.append(_("The conversion table has no rows."))
    for key, score in rows.items():
        answered, raw_sum = map(int, key.split(":"))
        lower = rows.get(f"{answered}:{raw_sum - 1}")
        if lower is not None and Decimal(lower) > Decimal(score):
            errors.append(
                _(
                    "Scores must not go down as the raw sum goes up "
                    "(%(a)d answered, raw %(r)d)."
                )
                % {"a": answered, "r": raw_sum}
            )
    if errors:
        raise ValidationError(errors)
    return rows


def _parse_wording(text: str) -> dict:
    errors, wording = [], {}
    for number, row in _read_csv(text, WORDING_HEADER, _("item wording")):
        language = row["language"]
        if language not in LANGUAGE_NAMES:
            errors.append(_("Line %(n)d: unknown language code.") % {"n": number})
            continue
        if not row["item"].isdigit() or not 1 <= int(row["item"]) <= 13:
            errors.append(_("Line %(n)d: item must be 1 to 13.") % {"n": number})
            continue
        if not row["text"]:
            errors.append(_("Line %(n)d: the item text is empty.") % {"n": number})
            continue
        wording.setdefault(language, [""] * 13)[int(row["item"]) - 1] = row["text"]
    for language, items in wording.items():
        missing = [str(i) for i, text in enumerate(items, start=1) if not text]
        if missing:
            errors.append(
                _("Language %(lang)s is missing items %(items)s.")
                % {"lang": language, "items": ", ".join(missing)}
            )
    if errors:
        raise ValidationError(errors)
    return wording


@claims_form_token
def pam_table_upload(
    *,
    actor: User,
    name: str,
    cut_set: str,
    license_reference: str,
    table_csv: str,
    wording_csv: str,
) -> PamConversionTable:
    """A program manager installs their organization's licensed table and wording;
    it replaces the active one. Every bad line is reported; nothing is saved then."""
    if not manages_program(actor):
        raise PermissionDenied
    errors = []
    rows = wording = None
    try:
        rows = _parse_table(table_csv)
    except ValidationError as error:
        errors.extend(error.messages)
    try:
        wording = _parse_wording(wording_csv) if wording_csv.strip() else {}
    except ValidationError as error:
        errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        PamConversionTable.objects.filter(
            organization_id=actor.organization_id, is_active=True
        ).update(is_active=False)
        return PamConversionTable.objects.create(
            organization_id=actor.organization_id,
            name=name,
            cut_set=cut_set,
            license_reference=license_reference,
            rows=rows,
            wording=wording,
            uploaded_by=actor,
        )


def pam_table_deactivate(*, actor: User, table: PamConversionTable) -> None:
    """Stop scoring new administrations with the table (past scores keep it)."""
    if not keeps_data_of(actor, table.organization_id):
        raise PermissionDenied
    PamConversionTable.objects.filter(pk=table.pk).update(is_active=False)
