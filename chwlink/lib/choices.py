"""Choice labels without Django's per-call cost."""

import functools

from django.utils.translation import get_language


class ChoiceLabels:
    """``get_FOO_display`` from a table built once per field and language.

    Django's own version hashes every lazy label of the field on each call: a list
    of 25 rows showing a patient's language (a hundred choices) paid thousands of
    translations per page.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return _labels(field, get_language()).get(_key(value), value)


def _key(value):
    return str(value) if value is not None else None


@functools.lru_cache(maxsize=512)
def _labels(field, language) -> dict:
    return {_key(value): str(label) for value, label in field.flatchoices}


def labels_of(choices) -> dict:
    """An enumeration's labels by value, in the active language.

    ``Choices.choices`` builds a new list on every access: a list page naming the
    needs of 25 rows twice paid for fifty of them.
    """
    return _enumeration_labels(choices, get_language())


@functools.lru_cache(maxsize=128)
def _enumeration_labels(choices, language) -> dict:
    return {member.value: str(member.label) for member in choices}
