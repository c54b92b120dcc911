"""An administrator loads a screening instrument from a file in the Django admin:
a good file becomes the version offered, a bad one is refused beside the field,
naming what is wrong in it, and nothing is stored; only administrators reach it."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import ScreeningInstrument
from referrals.screening.definition import shipped_files

LOAD = "admin:referrals_screeninginstrument_load"


def _hunger_vital_sign():
    for path in shipped_files():
        data = json.loads(path.read_text())
        if data["code"] == "hunger-vital-sign":
            return data
    raise AssertionError


def _upload(data, name="instrument.json"):
    text = data if isinstance(data, str) else json.dumps(data)
    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


def _translation():
    """The Hunger Vital Sign again, as version 1-es with Spanish wording."""
    data = copy.deepcopy(_hunger_vital_sign())
    data["version"] = "1-es"
    data["title"]["es"] = "Signo Vital del Hambre"
    for item in data["items"]:
        item["text"]["es"] = "Pregunta " + item["code"]
        for option in item["options"]:
            option["text"]["es"] = "Respuesta " + option["code"]
    return data


def test_the_changelist_offers_the_upload(login, administrator):
    page = login(administrator).get(
        reverse("admin:referrals_screeninginstrument_changelist")
    )
    assert page.status_code == 200
    assert reverse(LOAD) in page.text and "Load an instrument file" in page.text


def test_an_administrator_loads_a_new_version(login, administrator):
    client = login(administrator)
    assert client.get(reverse(LOAD)).status_code == 200
    response = client.post(
        reverse(LOAD), {"file": _upload(_translation())}, follow=True
    )
    row = ScreeningInstrument.objects.get(code="hunger-vital-sign", active=True)
    assert (row.version, row.loaded_by) == ("1-es", administrator)
    old = ScreeningInstrument.objects.get(code="hunger-vital-sign", version="1")
    assert not old.active
    assert "Loaded Hunger Vital Sign" in response.text
    assert "languages: en, es" in response.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "The file is not valid JSON (line 1, column 2)"),
        ({"format": "something-else"}, "“format” must be"),
        (
            lambda d: d["items"][0]["options"][0].pop("code"),
            "item 88122-7, option 1: “code” is missing.",
        ),
        (
            lambda d: d["rules"][0].update(domain="hunger"),
            "rule 1: “hunger” is not an SDOH category chwlink knows.",
        ),
        (
            lambda d: d.update(version="1"),
            "Version 1 of hunger-vital-sign is already loaded",
        ),
    ],
    ids=["not-json", "format", "option-code", "domain", "same-version"],
)
def test_a_bad_file_is_named_beside_the_field_and_nothing_stored(
    login, administrator, content, message
):
    if callable(content):
        data = _translation()
        content(data)
        content = data
    before = list(ScreeningInstrument.objects.values_list("pk", "active"))
    page = login(administrator).post(reverse(LOAD), {"file": _upload(content)})
    assert page.status_code == 200
    html = page.content.decode()
    field = html.index('name="file"')
    error = html.index('class="errorlist')
    assert error < field
    assert message in html.replace("&quot;", '"')
    assert list(ScreeningInstrument.objects.values_list("pk", "active")) == before


def test_a_file_that_is_not_utf8_is_refused(login, administrator):
    upload = SimpleUploadedFile("instrument.json", b"\xff\xfe{}")
    page = login(administrator).post(reverse(LOAD), {"file": upload})
    assert "The file is not UTF-8 text." in page.content.decode()


def test_no_file_is_asked_for_beside_the_field(login, administrator):
    page = login(administrator).post(reverse(LOAD), {})
    assert "Choose the instrument file to load." in page.content.decode()


@pytest.mark.parametrize("who", ["manager", "supervisor", "clinic_user", "navigator"])
def test_people_who_are_not_administrators_cannot_reach_it(login, request, who):
    user = request.getfixturevalue(who)
    client = login(user)
    before = ScreeningInstrument.objects.count()
    for response in (
        client.get(reverse(LOAD)),
        client.post(reverse(LOAD), {"file": _upload(_translation())}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert ScreeningInstrument.objects.count() == before


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse(LOAD))
    assert response.status_code == 302 and "login" in response.url
