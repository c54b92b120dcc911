"""Finding a patient before referring: every typed field must match, results come
by last then first name, twenty at most; the duplicate warning needs the same birth
date and one of the names, or the same MRN."""

import datetime

import pytest
from django.db import connection

from referrals import selectors
from referrals.models import Patient
from referrals.patient_search import name_has_words, name_starts_with
from referrals.tests.factories import PatientFactory

BIRTH = datetime.date(1971, 4, 2)


@pytest.fixture
def people(clinic_user):
    def person(first, last, birth=BIRTH, mrn=None):
        return PatientFactory(
            health_system=clinic_user.organization,
            first_name=first,
            last_name=last,
            date_of_birth=birth,
            **({"mrn": mrn} if mrn else {}),
            created_by=clinic_user,
        )

    return person


def found(clinic_user, **query):
    rows = selectors.patient_search_for_user(user=clinic_user, query=query)
    return [f"{row.first_name} {row.last_name}" for row in rows]


def test_every_field_typed_must_match(clinic_user, people):
    people("Rosa", "Campos")
    people("Luis", "Campos")
    people("Rosa", "Diaz")
    people("Rosa", "Campbell", birth=datetime.date(1980, 1, 1))
    assert found(clinic_user, last_name="camp", first_name="ro") == [
        "Rosa Campbell",
        "Rosa Campos",
    ]
    assert found(clinic_user, first_name="ro", date_of_birth=BIRTH) == [
        "Rosa Campos",
        "Rosa Diaz",
    ]
    assert found(clinic_user, last_name="camp", date_of_birth=BIRTH) == [
        "Luis Campos",
        "Rosa Campos",
    ]


def test_results_come_by_last_name_then_first_name(clinic_user, people):
    people("Zoe", "Adams")
    people("Bea", "Diaz")
    people("Ana", "Diaz")
    assert found(clinic_user, date_of_birth=BIRTH) == [
        "Zoe Adams",
        "Ana Diaz",
        "Bea Diaz",
    ]


def test_a_search_shows_twenty_patients_at_most(clinic_user, people):
    for number in range(21):
        people(f"Rosa{number:02}", "Campos")
    assert len(found(clinic_user, last_name="Campos")) == 20


def duplicates(clinic_user, **data):
    fields = {"first_name": "", "last_name": "", "date_of_birth": None, "mrn": ""}
    rows = selectors.patient_likely_duplicates(user=clinic_user, data=fields | data)
    return sorted(f"{row.first_name} {row.last_name}" for row in rows)


def test_a_look_alike_shares_the_birth_date_and_one_name(clinic_user, people):
    people("Rosa", "Campos", mrn="E-1")
    people("Luis", "Diaz", mrn="E-2")
    assert duplicates(
        clinic_user, first_name="Rosita", last_name="Campos", date_of_birth=BIRTH
    ) == ["Rosa Campos"]
    assert duplicates(
        clinic_user, first_name="rosa", last_name="Perez", date_of_birth=BIRTH
    ) == ["Rosa Campos"]
    assert (
        duplicates(
            clinic_user, first_name="Ana", last_name="Perez", date_of_birth=BIRTH
        )
        == []
    )


def test_the_same_mrn_is_a_look_alike_whatever_the_name(clinic_user, people):
    people("Rosa", "Campos", mrn="E-1")
    assert duplicates(
        clinic_user,
        first_name="Ana",
        last_name="Perez",
        date_of_birth=datetime.date(1990, 1, 1),
        mrn="e-1",
    ) == ["Rosa Campos"]


def test_the_warning_lists_ten_look_alikes_at_most(clinic_user, people):
    for number in range(11):
        people(f"Rosa{number:02}", "Campos", mrn=f"E-{number}")
    assert len(duplicates(clinic_user, last_name="Campos", date_of_birth=BIRTH)) == 10


@pytest.mark.parametrize(
    "last_name,first_name",
    [
        ("Hernandez", "Maria"),
        ("hernández", "maría"),
        ("HERNANDEZ", "MARÍA"),
        ("Hern", "Mar"),
    ],
)
def test_the_search_is_blind_to_accents_and_case(
    clinic_user, people, last_name, first_name
):
    people("María", "Hernández")
    people("Mario", "Fernández")
    assert found(clinic_user, last_name=last_name, first_name=first_name) == [
        "María Hernández"
    ]


def test_an_accented_search_finds_a_name_typed_without_accents(clinic_user, people):
    people("Jose", "Ramirez")
    assert found(clinic_user, last_name="Ramírez", first_name="José") == [
        "Jose Ramirez"
    ]


def test_a_search_term_with_wildcards_matches_them_literally(clinic_user, people):
    people("Ana", "Diaz")
    assert found(clinic_user, last_name="%", date_of_birth=BIRTH) == []
    assert found(clinic_user, last_name="_iaz", date_of_birth=BIRTH) == []


def test_the_same_person_without_accents_is_a_look_alike(clinic_user, people):
    people("María", "Hernández", mrn="E-1")
    assert duplicates(
        clinic_user, first_name="Maria", last_name="Hernandez", date_of_birth=BIRTH
    ) == ["María Hernández"]
    assert duplicates(
        clinic_user, first_name="MARIA", last_name="Lopez", date_of_birth=BIRTH
    ) == ["María Hernández"]
    assert (
        duplicates(
            clinic_user,
            first_name="Maria",
            last_name="Hernandez",
            date_of_birth=datetime.date(1990, 1, 1),
        )
        == []
    )


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("Hernandez, Maria", ["María Hernández"]),
        ("maria hern", ["María Hernández"]),
        ("ROSA", ["Rosa Campos"]),
        ("campos rosa", ["Rosa Campos"]),
        ("", []),
        ("   ", []),
    ],
)
def test_name_words_match_any_part_of_either_name(clinic_user, people, typed, expected):
    people("María", "Hernández")
    people("Rosa", "Campos")
    rows = Patient.objects.filter(name_has_words(typed)).order_by("last_name")
    assert [f"{row.first_name} {row.last_name}" for row in rows] == expected


def test_name_searches_can_use_the_name_indexes(db):
    # The query must fold the names with the very expression the indexes hold,
    # or 300,000 patients are read one by one.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    words = Patient.objects.filter(name_has_words("Garcia, Maria")).explain()
    assert "patient_first_name_trgm_idx" in words
    assert "patient_last_name_trgm_idx" in words
    start = Patient.objects.filter(name_starts_with(last_name="Garc")).explain()
    assert "patient_last_name" in start
