"""Bookkeeping for periodic tasks, read by `manage.py schedule`."""

from contextlib import contextmanager

import pghistory
from django.utils import timezone

from chwlink.lib.models import PeriodicRun


@contextmanager
def periodic_run(task: str):
    """Record when a periodic task started and finished, and how it ended."""
    PeriodicRun.objects.update_or_create(
        task=task,
        defaults={"started_at": timezone.now(), "finished_at": None, "outcome": ""},
    )
    outcome = {"text": "ok"}
    try:
        # Changes a periodic task makes carry its name in the audit history.
        with pghistory.context(task=task):
            yield outcome
    except Exception as error:
        PeriodicRun.objects.filter(task=task).update(
            finished_at=timezone.now(), outcome=f"failed: {type(error).__name__}"
        )
        raise
    PeriodicRun.objects.filter(task=task).update(
        finished_at=timezone.now(), outcome=outcome["text"][:200]
    )
