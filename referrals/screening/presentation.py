"""A screening as its page shows it: each question with its answer, and each
category with its result."""

from django.utils.translation import gettext_lazy as _

from referrals.choices import SocialNeed
from referrals.screening.definition import Instrument
from referrals.screening.scoring import NEGATIVE, POSITIVE, UNDETERMINED

RESULT_LABELS = {
    POSITIVE: _("Positive"),
    NEGATIVE: _("No need found"),
    UNDETERMINED: _("Not determined (declined or not asked)"),
}


def answer_rows(screening, instrument: Instrument) -> list[dict]:
    """Each question with its answer (the answers chosen, where it allows several,
    joined in the instrument's order)."""
    given = {}
    for answer in screening.answers.all():
        given.setdefault(answer.item_code, []).append(answer)
    rows = []
    for item in instrument.items:
        answers = given.get(item.code, [])
        codes = {a.answer_code for a in answers if not a.declined}
        if not answers:
            text = _("Not asked")
        elif not codes:
            text = _("Declined to answer")
        else:
            text = ", ".join(
                o.text.get(screening.language, o.text["en"])
                for o in item.options
                if o.code in codes
            )
        rows.append(
            {
                "code": item.code,
                "question": item.text.get(screening.language, item.text["en"]),
                "answer": text,
                "positive": any(a.positive for a in answers),
                "private": item.private,
            }
        )
    return rows


def domain_rows(screening) -> list[dict]:
    labels = dict(SocialNeed.choices)
    results = dict.fromkeys(screening.negative_domains, NEGATIVE)
    results |= dict.fromkeys(screening.positive_domains, POSITIVE)
    if screening.instrument_id:
        for rule in screening.instrument.definition["rules"]:
            results.setdefault(rule["domain"], UNDETERMINED)
    return [
        {
            "domain": domain,
            "label": labels[domain],
            "result": result,
            "result_label": RESULT_LABELS[result],
            "confirmed": domain in screening.confirmed_domains,
        }
        for domain, result in results.items()
    ]
