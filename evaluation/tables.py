"""Building blocks of the dashboard's tables (see ``evaluation.figures``)."""


def column(label, kind="count", base=None) -> dict:
    """A table column: ``kind`` is count, number, rate, text or hidden; ``base``
    is the index of the count a rate or mean rests on (for suppression)."""
    return {"label": label, "kind": kind, "base": base}


def rounded(value, digits=1):
    return None if value is None else round(value, digits)
