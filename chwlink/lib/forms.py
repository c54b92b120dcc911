"""What every form of chwlink refuses: control characters.

Nobody types a null byte, an escape or a backspace; they arrive from copied text,
broken tools or attacks, and PostgreSQL refuses a null byte outright. Every form
of the project derives from ``PlainTextForm`` or ``PlainTextModelForm``
(``tests/security/test_control_characters.py`` checks it), which refuses them in
any field, beside the field and with what was typed shown back. A multi-line text
box keeps tabs and line breaks; every other field refuses those too.
"""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

LINE_BREAKS_AND_TABS = frozenset("\t\n\r")
MESSAGE = _(
    "This contains control characters (such as a null byte) that cannot be saved. "
    "Remove them and try again."
)


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when the text holds a control character (Unicode category Cc: C0, DEL,
    C1), tabs and line breaks aside in multi-line text."""
    allowed = LINE_BREAKS_AND_TABS if multiline else frozenset()
    return any(
        unicodedata.category(char) == "Cc" and char not in allowed for char in value
    )


def _texts(value):
    """The strings a widget read from the request (one, several, or none)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


class PlainTextMixin:
    """Adds an error to every field whose submitted text holds control characters.

    The check reads what was submitted, before a field strips or converts it: a
    field that strips a trailing control character would otherwise save the rest
    without telling. Its error replaces the field's others, which the control
    characters caused and which would not say what to change."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            multiline = isinstance(field.widget, forms.Textarea)
            if not field.disabled and any(
                has_control_characters(text, multiline=multiline)
                for text in _texts(self[name].data)
            ):
                self._errors.pop(name, None)
                self.add_error(name, forms.ValidationError(MESSAGE, code="control"))


class PlainTextForm(PlainTextMixin, forms.Form):
    pass


class PlainTextModelForm(PlainTextMixin, forms.ModelForm):
    pass
