"""Scoring a screening: which SDOH categories its answers show as positive.

Answers are a mapping of item code to an answer code or ``DECLINED``; for an item
that allows several answers, to a list of answer codes or ``DECLINED``. An item
absent from the mapping was not asked (only private items may be left unasked,
where the patient could not answer privately). A category is *positive* when its
rule says so, *negative* when the answers rule a need out, and *undetermined*
when declined or unasked items leave it open: a declined answer is never read
as a "no".
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from referrals.screening.definition import Instrument, Item, Rule

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
    # (item code, answer code) of each chosen answer that signals a need
    positive_answers: frozenset = frozenset()

    @property
    def positive_domains(self) -> list[str]:
        return [d for d, r in self.results.items() if r == POSITIVE]

    @property
    def negative_domains(self) -> list[str]:
        return [d for d, r in self.results.items() if r == NEGATIVE]


def chosen(answer) -> tuple[str, ...]:
    """The answer codes given to an item: none if declined, one, or several."""
    if answer == DECLINED:
        return ()
    return (answer,) if isinstance(answer, str) else tuple(answer)


def multiple_answer_problem(item: Item, codes) -> str | None:
    """Why these answer codes cannot be the answer to an item that allows several
    (``None`` when they can): none chosen, "declined" or an exclusive option such
    as "None of the above" chosen with another, an unknown or repeated code. The
    message is said beside the question, so it does not name it."""
    codes = list(codes)
    if not codes:
        return _(
            "Choose one or more answers, or “Declined to answer” if the patient "
            "prefers not to say."
        )
    strangers = [c for c in codes if c != DECLINED and item.option(c) is None]
    if strangers:
        return _("“%(answer)s” is not one of the answers.") % {"answer": strangers[0]}
    if len(set(codes)) != len(codes):
        return _("An answer is chosen twice.")
    if DECLINED in codes and len(codes) > 1:
        return _("“Declined to answer” cannot be chosen with an answer.")
    exclusive = [item.option(c) for c in codes if c != DECLINED]
    exclusive = [o for o in exclusive if o.exclusive]
    if exclusive and len(codes) > 1:
        return _("“%(option)s” cannot be chosen with another answer.") % {
            "option": exclusive[0].text["en"]
        }
    return None


def _answer_problem(item: Item, answer) -> str | None:
    if item.multiple:
        if answer == DECLINED:
            return None
        if isinstance(answer, str) or not isinstance(answer, list | tuple):
            problem = _("it allows several answers, given as a list.")
        else:
            problem = multiple_answer_problem(item, answer)
        if problem is None:
            return None
        return _("Question %(code)s: %(problem)s") % {
            "code": item.code,
            "problem": problem,
        }
    if not isinstance(answer, str):
        return _("Question %(code)s takes one answer.") % {"code": item.code}
    if answer != DECLINED and item.option(answer) is None:
        return _("“%(answer)s” is not an answer to question %(code)s.") % {
            "answer": answer,
            "code": item.code,
        }
    return None


def answers_check(
    instrument: Instrument, answers: dict, *, asked_privately: bool
) -> None:
    """Refuse answers to unknown items, unknown answer codes, a private item
    answered when the patient could not answer privately, a missing answer to an
    item that had to be asked, and, where several answers are allowed, an
    exclusive option ("None of the above") or "declined" chosen with another."""
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
        problem = _answer_problem(item, answer)
        if problem:
            raise AnswersInvalid(problem)
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
    """Positive when any chosen answer of the rule's items is one of its positive
    answers; the hits are (item, answer) pairs."""
    given = {c: answers[c] for c in rule.items if answers.get(c, DECLINED) != DECLINED}
    hits = {
        (c, a)
        for c, answer in given.items()
        for a in chosen(answer)
        if a in rule.positive_answers
    }
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
    results, positive_answers, totals = {}, set(), {}
    for rule in instrument.rules:
        if rule.total_at_least is None:
            result, hits = _any_rule(rule, answers)
            positive_answers |= hits
        else:
            result, totals[rule.domain] = _total_rule(instrument, rule, answers)
        # Two rules of one category (none shipped): positive wins, then negative.
        previous = results.get(rule.domain)
        if previous != POSITIVE and (previous is None or result != UNDETERMINED):
            results[rule.domain] = result
    return Score(
        results=results,
        positive_items=frozenset(code for code, _answer in positive_answers),
        totals=totals,
        positive_answers=frozenset(positive_answers),
    )
