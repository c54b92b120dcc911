"""The rows of a dashboard table, written in Python: a table of hundreds of
navigators would otherwise render a template node per cell."""

from decimal import Decimal
from html import escape

from django import template
from django.conf import settings
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()
EMPTY = "—"


@register.simple_tag
def table_rows(table: dict):
    """Each row: its first cell a row header, the others right-aligned numbers
    (localized as the template would), an empty cell as a dash; every cell
    escaped."""
    shown = _localizer()
    rows = []
    for first, *rest in table["rows"]:
        cells = "".join(f'<td class="text-end">{escape(shown(c))}</td>' for c in rest)
        rows.append(
            f'<tr><th scope="row" class="fw-normal">{escape(shown(first))}</th>'
        )
        rows.append(f"{cells}</tr>")
    return mark_safe("".join(rows))  # noqa: S308 - every cell escaped above


def _localizer():
    """``django.utils.formats.localize`` for this table's numbers, with the
    separators of the active language looked up once."""
    language = get_language()
    decimal, grouping, thousands = (
        get_format(name, language)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    def shown(value):
        if value is None:
            return EMPTY
        if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
            return str(value)  # what numberformat gives a whole number ungrouped
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return numberformat.format(
                value, decimal, grouping=grouping, thousand_sep=thousands,
                use_l10n=True,
            )  # fmt: skip
        return str(value)

    return shown
