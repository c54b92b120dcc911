"""Choice labels without Django's per-call cost."""

from django.db import models


def label_of(choices: type[models.Choices], value) -> str:
    """The label of ``value`` (the value itself if unknown), as ``get_FOO_display``
    gives it. Django's version hashes every lazy label of the field on each call,
    which a list of 25 rows pays 25 times over."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
