"""A screening instrument as data: the file format, read and checked.

An instrument file (``instruments/*.json``, or one an administrator loads) holds
the items with their LOINC codes, the answer options, the scoring rules that say
which answers are positive for which SDOH category, and the wording in each
language. ``instrument_from_data`` refuses a file that does not follow the format,
naming what is wrong, so a bad file never reaches a patient.

Format ``chwlink-screening-instrument/1``:
- ``code``, ``version`` (strings), ``title`` (language → text), ``loinc`` (the panel),
  ``citation``, optional ``fhir_questionnaire`` (the canonical URL of the same
  instrument as a FHIR Questionnaire) and ``declined_answer`` (the coding sent in
  FHIR for an item the patient declined);
- ``items``: ``code`` (LOINC), ``display``, ``text`` (language → text),
  ``private`` (asked only where the patient can answer privately), optional
  ``multiple`` (the patient may choose several options: "check all that apply"),
  ``options`` (``code``, ``display``, ``text``, optional ``points``, and on an item
  with ``multiple`` optional ``exclusive``: an option such as "None of the above"
  that cannot be chosen with any other);
- ``rules``: ``domain`` (a Gravity SDOH category), ``items``, and either
  ``positive_answers`` (positive when any of the items has one of them) or
  ``total_at_least`` (positive when the items' points add up to at least that);
  optional ``result``: the coded result the instrument reports for the rule.

``multiple`` and ``exclusive`` were added to format 1 without changing its name:
they are optional, so every earlier file still reads the same way.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from referrals.choices import SocialNeed

FORMAT = "chwlink-screening-instrument/1"
SHIPPED = Path(__file__).resolve().parent / "instruments"
DOMAINS = frozenset(SocialNeed.values)


class InstrumentInvalid(ValueError):
    """The file does not describe an instrument chwlink can use (the message says
    where and why)."""


@dataclass(frozen=True)
class Option:
    code: str
    display: str
    text: dict
    points: int | None = None
    exclusive: bool = False


@dataclass(frozen=True)
class Item:
    code: str
    display: str
    text: dict
    options: tuple[Option, ...]
    private: bool = False
    multiple: bool = False

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Rule:
    domain: str
    items: tuple[str, ...]
    positive_answers: frozenset = frozenset()
    total_at_least: int | None = None
    result: dict | None = None


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: dict
    loinc: str
    citation: str
    items: tuple[Item, ...]
    rules: tuple[Rule, ...]
    fhir_questionnaire: str = ""
    declined_answer: dict | None = None

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.domain for rule in self.rules))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages every item and option is worded in."""
        texts = [self.title] + [i.text for i in self.items]
        texts += [o.text for i in self.items for o in i.options]
        common = set.intersection(*(set(t) for t in texts))
        return tuple(sorted(common, key=lambda code: (code != "en", code)))

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]


def _require(data: dict, key: str, kind, where: str):
    if key not in data:
        raise InstrumentInvalid(_("%(where)s: “%(key)s” is missing.") % locals())
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, str | list) and not value):
        raise InstrumentInvalid(
            _("%(where)s: “%(key)s” must be a non-empty %(kind)s.")
            % {"where": where, "key": key, "kind": kind.__name__}
        )
    return value


def _wording(data: dict, key: str, where: str) -> dict:
    text = _require(data, key, dict, where)
    if "en" not in text or not all(isinstance(v, str) and v for v in text.values()):
        raise InstrumentInvalid(
            _("%(where)s: “%(key)s” needs an English (“en”) text, and no empty ones.")
            % {"where": where, "key": key}
        )
    return text


def _flag(data: dict, key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise InstrumentInvalid(
            _("%(where)s: “%(key)s” must be true or false.")
            % {"where": where, "key": key}
        )
    return value


def _option(data: dict, where: str, *, multiple: bool) -> Option:
    points = data.get("points")
    if points is not None and not isinstance(points, int):
        raise InstrumentInvalid(
            _("%(where)s: “points” must be a whole number.") % {"where": where}
        )
    exclusive = _flag(data, "exclusive", where)
    if exclusive and not multiple:
        raise InstrumentInvalid(
            _(
                "%(where)s: “exclusive” is for an option of a question that allows "
                "several answers (“multiple”: true)."
            )
            % {"where": where}
        )
    return Option(
        code=_require(data, "code", str, where),
        display=_require(data, "display", str, where),
        text=_wording(data, "text", where),
        points=points,
        exclusive=exclusive,
    )


def _item(data: dict, where: str) -> Item:
    code = _require(data, "code", str, where)
    where = _("item %(code)s") % {"code": code}
    multiple = _flag(data, "multiple", where)
    options = tuple(
        _option(
            o,
            _("%(where)s, option %(n)s") % {"where": where, "n": n},
            multiple=multiple,
        )
        for n, o in enumerate(_require(data, "options", list, where), start=1)
    )
    if len({o.code for o in options}) != len(options):
        raise InstrumentInvalid(_("%(where)s: two options share a code.") % locals())
    if multiple and all(o.exclusive for o in options):
        raise InstrumentInvalid(
            _("%(where)s: every option is exclusive, so only one can be chosen.")
            % locals()
        )
    return Item(
        code=code,
        display=_require(data, "display", str, where),
        text=_wording(data, "text", where),
        options=options,
        private=_flag(data, "private", where),
        multiple=multiple,
    )


def _rule(data: dict, items: dict, where: str) -> Rule:
    domain = _require(data, "domain", str, where)
    if domain not in DOMAINS:
        raise InstrumentInvalid(
            _("%(where)s: “%(domain)s” is not an SDOH category chwlink knows.")
            % locals()
        )
    codes = tuple(_require(data, "items", list, where))
    unknown = [c for c in codes if c not in items]
    if unknown:
        raise InstrumentInvalid(
            _("%(where)s: no item has the code %(codes)s.")
            % {"where": where, "codes": ", ".join(map(str, unknown))}
        )
    positive = data.get("positive_answers")
    total = data.get("total_at_least")
    if (positive is None) == (total is None):
        raise InstrumentInvalid(
            _("%(where)s: give either “positive_answers” or “total_at_least”.")
            % locals()
        )
    if positive is not None:
        offered = {o.code for c in codes for o in items[c].options}
        strangers = [a for a in positive if a not in offered]
        if not positive or strangers:
            raise InstrumentInvalid(
                _("%(where)s: positive answers %(codes)s are not options of its items.")
                % {"where": where, "codes": ", ".join(map(str, strangers)) or "[]"}
            )
    elif not isinstance(total, int) or any(
        o.points is None for c in codes for o in items[c].options
    ):
        raise InstrumentInvalid(
            _("%(where)s: a total needs a whole number and points on every option.")
            % locals()
        )
    elif any(items[c].multiple for c in codes):
        raise InstrumentInvalid(
            _(
                "%(where)s: a total cannot add the points of a question that "
                "allows several answers."
            )
            % locals()
        )
    return Rule(
        domain=domain,
        items=codes,
        positive_answers=frozenset(positive or ()),
        total_at_least=total,
        result=data.get("result"),
    )


def instrument_from_data(data) -> Instrument:
    """The instrument a parsed file describes; ``InstrumentInvalid`` if it breaks
    the format."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InstrumentInvalid(
            _("This is not a chwlink screening instrument: “format” must be “%s”.")
            % FORMAT
        )
    where = _("the instrument")
    items = [
        _item(i, _("item %(n)s") % {"n": n})
        for n, i in enumerate(_require(data, "items", list, where), start=1)
    ]
    by_code = {i.code: i for i in items}
    if len(by_code) != len(items):
        raise InstrumentInvalid(_("Two items share a code."))
    rules = tuple(
        _rule(r, by_code, _("rule %(n)s") % {"n": n})
        for n, r in enumerate(_require(data, "rules", list, where), start=1)
    )
    scored = {code for rule in rules for code in rule.items}
    unscored = [code for code in by_code if code not in scored]
    if unscored:
        raise InstrumentInvalid(
            _("No rule scores the items %(codes)s.") % {"codes": ", ".join(unscored)}
        )
    return Instrument(
        code=_require(data, "code", str, where),
        version=_require(data, "version", str, where),
        title=_wording(data, "title", where),
        loinc=data.get("loinc", ""),
        citation=_require(data, "citation", str, where),
        items=tuple(items),
        rules=rules,
        fhir_questionnaire=data.get("fhir_questionnaire", ""),
        declined_answer=data.get("declined_answer"),
    )


def instrument_from_text(text: str) -> Instrument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentInvalid(
            _("The file is not valid JSON (line %(line)s, column %(col)s): %(msg)s")
            % {"line": error.lineno, "col": error.colno, "msg": error.msg}
        ) from None
    return instrument_from_data(data)


def _version_key(version: str) -> tuple:
    """ "10" after "9": versions compare by their numbers, then their words."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", version)
        if part
    )


def shipped_files() -> list[Path]:
    """The instrument files chwlink ships, each instrument's versions oldest
    first: loaded in this order, the newest version of each is the one offered."""

    def key(path: Path):
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["code"], _version_key(str(data["version"]))

    return sorted(SHIPPED.glob("*.json"), key=key)
