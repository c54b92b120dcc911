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
    given = {a.item_code: a for a in screening.answers.all()}
    rows = []
    for item in instrument.items:
        answer = given.get(item.code)
        if answer is None:
            text = _("Not asked")
        elif answer.declined:
            text = _("Declined to answer")
        else:
            option = item.option(answer.answer_code)
            text = option.text.get(screening.language, option.text["en"])
        rows.append(
            {
                "code": item.code,
                "question": item.text.get(screening.language, item.text["en"]),
                "answer": text,
                "positive": bool(answer and answer.positive),
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
