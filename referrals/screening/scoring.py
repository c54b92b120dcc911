"""Scoring a screening: which SDOH categories its answers show as positive.

Answers are a mapping of item code to an answer code or ``DECLINED``; an item
absent from the mapping was not asked (only private items may be left unasked,
where the patient could not answer privately). A category is *positive* when its
rule says so, *negative* when the answers rule a need out, and *undetermined*
when declined or unasked items leave it open: a declined answer is never read
as a "no".
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from referrals.screening.definition import Instrument, Rule

DECLINED = "declined"
POSITIVE = "positive"
NEGATIVE = "negative"
UNDETERMINED = "undetermined"


class AnswersInvalid(ValueError):
    """The answers do not fit the instrument (the message names the item)."""


@dataclass(frozen=True)
class Score:
    results: dict  # domain → POSITIVE / NEGATIVE / UNDETERMINED
    positive_items: frozenset  # item codes whose answer signals a need
    totals: dict  # domain → points, for rules that add points

    @property
    def positive_domains(self) -> list[str]:
        return [d for d, r in self.results.items() if r == POSITIVE]

    @property
    def negative_domains(self) -> list[str]:
        return [d for d, r in self.results.items() if r == NEGATIVE]


def answers_check(
    instrument: Instrument, answers: dict, *, asked_privately: bool
) -> None:
    """Refuse answers to unknown items, unknown answer codes, a private item
    answered when the patient could not answer privately, and a missing answer
    to an item that had to be asked."""
    for code, answer in answers.items():
        item = instrument.item(code)
        if item is None:
            raise AnswersInvalid(
                _("“%(code)s” is not a question of %(title)s, version %(version)s.")
                % {
                    "code": code,
                    "title": instrument.title_in("en"),
                    "version": instrument.version,
                }
            )
        if item.private and not asked_privately:
            raise AnswersInvalid(
                _(
                    "Question %(code)s is asked only when the patient can answer "
                    "privately."
                )
                % {"code": code}
            )
        if answer != DECLINED and item.option(answer) is None:
            raise AnswersInvalid(
                _("“%(answer)s” is not an answer to question %(code)s.")
                % {"answer": answer, "code": code}
            )
    for item in instrument.items:
        must_ask = asked_privately or not item.private
        if must_ask and item.code not in answers:
            raise AnswersInvalid(
                _(
                    "Question %(code)s has no answer: choose one, or “Declined” if "
                    "the patient prefers not to answer."
                )
                % {"code": item.code}
            )


def _any_rule(rule: Rule, answers: dict) -> tuple[str, set]:
    given = {c: answers[c] for c in rule.items if answers.get(c, DECLINED) != DECLINED}
    hits = {c for c, a in given.items() if a in rule.positive_answers}
    if hits:
        return POSITIVE, hits
    # As the Hunger Vital Sign's own logic: one answer that signals no need
    # rules the need out when the other item was declined.
    return (NEGATIVE if given else UNDETERMINED), set()


def _total_rule(instrument: Instrument, rule: Rule, answers: dict) -> tuple[str, int]:
    given = {c: answers[c] for c in rule.items if answers.get(c, DECLINED) != DECLINED}
    total = sum(instrument.item(c).option(a).points for c, a in given.items())
    if total >= rule.total_at_least:
        return POSITIVE, total
    if len(given) < len(rule.items):
        # The declined items could still carry the total over the threshold.
        highest = sum(
            max(o.points for o in instrument.item(c).options)
            for c in rule.items
            if c not in given
        )
        if total + highest >= rule.total_at_least:
            return UNDETERMINED, total
    return NEGATIVE, total


def score(instrument: Instrument, answers: dict, *, asked_privately: bool) -> Score:
    """Check the answers, then apply each rule of the instrument."""
    answers_check(instrument, answers, asked_privately=asked_privately)
    results, positive_items, totals = {}, set(), {}
    for rule in instrument.rules:
        if rule.total_at_least is None:
            result, hits = _any_rule(rule, answers)
            positive_items |= hits
        else:
            result, totals[rule.domain] = _total_rule(instrument, rule, answers)
        # Two rules of one category (none shipped): positive wins, then negative.
        previous = results.get(rule.domain)
        if previous != POSITIVE and (previous is None or result != UNDETERMINED):
            results[rule.domain] = result
    return Score(
        results=results, positive_items=frozenset(positive_items), totals=totals
    )
