"""Which patients a request loaded from the database, for the access log.

A model holding patient data inherits ``ShowsPatient`` and names the field that
points to the patient (``patient_field``). Every row of it that a request loads
notes its patient here, whatever the page, the admin included, so no page that
shows a patient can be left out of the access log (a page that shows patients
read by ``values()`` notes them with ``note_ids``; the access-record walk in
``tests/security`` finds a page that forgets); ``partners.audit`` writes the
access record when the response is sent. Outside a request (tasks, commands)
nothing is collected.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_collected: ContextVar[dict | None] = ContextVar("chwlink_patients_shown", default=None)


class ShowsPatient:
    """A mixin for models whose rows show a patient: the patient itself
    (``patient_field = "pk"``) or records about one (``"patient_id"``)."""

    patient_field = "patient_id"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        collected = _collected.get()
        if collected is None:
            return instance
        is_patient = cls.patient_field == "pk"
        attname = cls._meta.pk.attname if is_patient else cls.patient_field
        # A deferred field is never read here: that would cost a query per row.
        patient_id = getattr(instance, attname) if attname in field_names else None
        if patient_id is not None:
            code = instance.code if is_patient and "code" in field_names else None
            collected[patient_id] = collected.get(patient_id) or code
        return instance


def note_ids(patient_ids) -> None:
    """For a page that shows patients read without their rows (``values()``, a
    parsed file): note them by id."""
    collected = _collected.get()
    if collected is not None:
        for patient_id in patient_ids:
            collected.setdefault(patient_id, None)


@contextmanager
def collecting():
    """Collect, for the duration of the block, the patients loaded: a dict of
    patient id to code (None where the code was not loaded)."""
    token = _collected.set({})
    try:
        yield _collected.get()
    finally:
        _collected.reset(token)
