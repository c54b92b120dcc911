"""Finding patients by name, blind to accents and case, in one place.

Every search of patients by name goes through here: the clinic's patient search
before a referral, the duplicate warning before a new patient, the search box of
*All referrals* and of the clinic's list, and the admin's. "Hernandez, Maria" finds
"Hernández, María" and warns that she may already exist. Names are compared as
``chwlink.lib.folding`` folds them (lower case, no accents), in the database, with
the indexes of ``Patient.Meta`` (migration 0015): a B-tree for a last name's start
within a health system, trigram indexes for any part of either name.
"""

import re
import uuid

from django.db.models import Q
from django.db.models.lookups import Contains, Exact, StartsWith

from chwlink.lib.folding import Folded, folded_value
from referrals.models import Patient

# A search box may hold "Hernández, María": commas separate names like spaces do.
WORD_SEPARATORS = re.compile(r"[\s,;]+")
MAX_WORDS = 6
HEX = re.compile(r"^[0-9a-f]+$")
# A referral's short code is the first 8 hex digits of its UUID.
SHORT_CODE_LENGTH = 8


def _field(prefix: str, name: str) -> Folded:
    return Folded(f"{prefix}{name}")


def name_starts_with(*, first_name="", last_name="", prefix="") -> Q:
    """Patients whose last and first names start with what was typed (each name
    left empty matches everyone): the clinic's search before a referral."""
    condition = Q()
    if last_name.strip():
        condition &= Q(
            StartsWith(_field(prefix, "last_name"), folded_value(last_name.strip()))
        )
    if first_name.strip():
        condition &= Q(
            StartsWith(_field(prefix, "first_name"), folded_value(first_name.strip()))
        )
    return condition


def same_name(*, first_name="", last_name="", prefix="") -> Q:
    """The same last name or the same first name: with the same birth date, a
    likely duplicate."""
    condition = Q(pk__in=[])
    if last_name.strip():
        condition |= Q(
            Exact(_field(prefix, "last_name"), folded_value(last_name.strip()))
        )
    if first_name.strip():
        condition |= Q(
            Exact(_field(prefix, "first_name"), folded_value(first_name.strip()))
        )
    return condition


def search_words(text: str) -> list[str]:
    """The words of a search box (at most ``MAX_WORDS``)."""
    return [word for word in WORD_SEPARATORS.split(text.strip()) if word][:MAX_WORDS]


def name_has_words(text: str, *, prefix="") -> Q:
    """Every word typed is part of the first or the last name ("maria hern",
    "Hernández, María"); nothing typed matches nobody."""
    words = search_words(text)
    if not words:
        return Q(pk__in=[])
    condition = Q()
    for word in words:
        folded = folded_value(word)
        condition &= Q(Contains(_field(prefix, "first_name"), folded)) | Q(
            Contains(_field(prefix, "last_name"), folded)
        )
    return condition


def code_range(text: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The codes starting with the hex digits typed ("F0F3CB7D", a whole code),
    as a range the code's unique index answers; None for anything else."""
    digits = text.strip().replace("-", "").lower()
    if len(digits) < SHORT_CODE_LENGTH or len(digits) > 32 or not HEX.match(digits):
        return None
    low = uuid.UUID(digits.ljust(32, "0"))
    high = uuid.UUID(digits.ljust(32, "f"))
    return low, high


def referral_search(text: str, *, health_system_ids) -> Q:
    """Referrals whose patient is named by the words typed, whose patient has the
    medical record number typed, or whose code starts with it (the short code on
    every page, or the whole code): the search box of the referral lists.
    ``health_system_ids`` holds the patients' record keepers the user may see,
    so the MRN is looked up through its unique index."""
    text = text.strip()
    patients = Patient.objects.filter(health_system_id__in=health_system_ids).filter(
        Q(mrn__iexact=text) | name_has_words(text)
    )
    condition = Q(patient_id__in=patients.values("pk"))
    codes = code_range(text)
    if codes is not None:
        condition |= Q(code__range=codes)
    return condition
