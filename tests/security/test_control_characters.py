"""Control characters (a null byte, an escape, a backspace, DEL, C1 codes) are
refused in every input with a clear message, never a server error:

- in the query string of every page (each filter, search and page parameter the
  page offers, and any other), by a 400 page that says what is wrong;
- in every text field of every form, beside the field, with what was typed shown
  back and nothing saved. Multi-line text keeps its tabs and line breaks.

Every form class of the project derives from ``chwlink.lib.forms.PlainTextMixin``.
"""

import itertools
from html.parser import HTMLParser

import pytest
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.module_loading import import_string

from chwlink.lib.forms import MESSAGE, PlainTextMixin, has_control_characters
from partners.tests.factories import PASSWORD
from tests.security.conftest import fingerprint
from tests.security.matrix import MATRIX
from tests.security.test_bad_input import (
    NOT_SHOWN_BACK,
    POST_FORMS,
    POST_ONLY_FIELDS,
    _forms_in,
    _role_for,
)

pytestmark = pytest.mark.django_db

CONTROL = ["\x00", "\x01", "\x08", "\x1b[31m", "\x7f", "\x85", "\x9b", "\x0b", "\x1f"]
ADDRESS_MESSAGE = "The address contains control characters"
WORKING_ROLES = ("clinic", "supervisor", "navigator", "manager", "administrator")
PROJECT_PACKAGES = ("partners.", "referrals.", "evaluation.", "chwlink.", "bench.")


def _every_subclass(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _every_subclass(sub)


def test_every_form_of_the_project_refuses_control_characters():
    import chwlink.urls  # noqa: F401  (loads every view and so every form)
    import partners.admin  # noqa: F401

    project_forms = {
        form
        for form in _every_subclass(forms.BaseForm)
        if form.__module__.startswith(PROJECT_PACKAGES)
        and ".tests" not in form.__module__
    }
    assert len(project_forms) > 30
    assert [
        f"{form.__module__}.{form.__qualname__}"
        for form in project_forms
        if not issubclass(form, PlainTextMixin)
    ] == []


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("Plain words, ñ and 😀", False, False),
        ("a\x00b", False, True),
        ("\x1b[31m", False, True),
        ("x\x7f", False, True),
        ("x\x85", False, True),
        ("two\nlines", False, True),
        ("two\nlines\tand a tab\r\n", True, False),
        ("two\nlines\x0c", True, True),
    ],
)
def test_what_counts_as_a_control_character(text, multiline, refused):
    assert has_control_characters(text, multiline=multiline) is refused


class _GetFormFields(HTMLParser):
    """The names of the fields in the page's search and filter (GET) forms."""

    def __init__(self):
        super().__init__()
        self.names, self._in_get_form = set(), False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif (
            tag in {"input", "select", "textarea"}
            and self._in_get_form
            and attrs.get("name")
        ):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _get_role(name):
    for role in WORKING_ROLES:
        if MATRIX[name][role][0] == 200:
            return role
    return None


GET_PAGES = sorted(name for name in MATRIX if _get_role(name))


@pytest.mark.parametrize("name", GET_PAGES)
def test_a_control_character_in_any_query_parameter_is_refused_clearly(
    world, signed_in, name
):
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    client = signed_in(world.users[_get_role(name)])
    page = client.get(url)
    assert page.status_code == 200
    parameters = {"page", "q", "next"}
    parameters |= {field for form in _forms_in(page) for field in form.fields}
    if page["Content-Type"].startswith("text/html"):
        parser = _GetFormFields()
        parser.feed(page.content.decode())
        parameters |= parser.names
    wrong = []
    for parameter, control in zip(
        sorted(parameters), itertools.cycle(CONTROL), strict=False
    ):
        response = client.get(url, {parameter: f"x{control}y"})
        if response.status_code != 400 or ADDRESS_MESSAGE not in (
            response.content.decode()
        ):
            wrong.append((parameter, control, response.status_code))
    # The parameter's name counts too.
    response = client.get(f"{url}?a%00b=1")
    if response.status_code != 400:
        wrong.append(("a\x00b", "name", response.status_code))
    assert wrong == [], url


def test_the_null_byte_that_broke_the_utilization_filter_is_explained(world, signed_in):
    client = signed_in(world.users["manager"])
    response = client.get(reverse("evaluation:utilization-list") + "?mrn=%00")
    assert response.status_code == 400
    assert ADDRESS_MESSAGE in response.content.decode()
    assert client.get(reverse("evaluation:utilization-list")).status_code == 200


def test_a_signed_out_visitor_gets_the_same_explanation(client):
    response = client.get(reverse("account_login"), {"next": "/\x00"})
    assert response.status_code == 400
    assert ADDRESS_MESSAGE in response.content.decode()


def test_the_page_is_in_the_persons_language(world, signed_in):
    manager = world.users["manager"]
    manager.language = "es"
    manager.save(update_fields=["language"])
    response = signed_in(manager).get(
        reverse("evaluation:utilization-list"), {"mrn": "\x00"}
    )
    assert response.status_code == 400
    assert "caracteres de control" in response.content.decode()


def _text_fields(form):
    return {
        name: field
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
        and not field.disabled
    }


# The forms a page shows: those posted to without a page of their own redirect
# with a message, and are covered by the check on every form class.
SHOWN_FORMS = sorted(set(POST_FORMS) - set(POST_ONLY_FIELDS))


@pytest.mark.parametrize("name", SHOWN_FORMS)
def test_control_characters_in_a_text_field_are_refused_beside_the_field(
    world, signed_in, name
):
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    user = world.users[_role_for(name)]
    client = signed_in(user)
    shown = _forms_in(client.get(url))
    fields = {}
    for form in shown:
        fields |= _text_fields(form)
    wrong = []
    for field_name, control in zip(
        sorted(fields), itertools.cycle(CONTROL), strict=False
    ):
        typed = f"Typed{control}text"
        with transaction.atomic():
            before = fingerprint()
            response = client.post(url, {field_name: typed})
            after = fingerprint()
            transaction.set_rollback(True)
        assert response.wsgi_request.user == user
        bound = [form for form in _forms_in(response) if form.is_bound]
        errors = [
            str(error) for form in bound for error in form.errors.get(field_name, [])
        ]
        content = response.content.decode()
        if after != before:
            wrong.append((field_name, "saved"))
        if str(MESSAGE) not in errors:
            wrong.append((field_name, "no control-character error", errors))
        if field_name not in NOT_SHOWN_BACK.get(name, set()):
            if escape(str(MESSAGE)) not in content:
                wrong.append((field_name, "message not shown"))
            if escape(typed) not in content:
                wrong.append((field_name, "typed text not shown back"))
    assert wrong == [], url


@pytest.mark.parametrize("name", ["evaluation:story-new", "referrals:encounter-new"])
def test_multi_line_text_keeps_its_line_breaks_and_tabs(world, signed_in, name):
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    client = signed_in(world.users[_role_for(name)])
    [form] = [form for form in _forms_in(client.get(url)) if form.fields]
    boxes = [
        field_name
        for field_name, field in form.fields.items()
        if isinstance(field.widget, forms.Textarea)
    ]
    assert boxes
    with transaction.atomic():
        response = client.post(url, dict.fromkeys(boxes, "First line\n\tSecond\r\n"))
        transaction.set_rollback(True)
    [bound] = [form for form in _forms_in(response) if form.is_bound]
    for box in boxes:
        assert str(MESSAGE) not in [str(error) for error in bound.errors.get(box, [])]


def test_signing_in_with_control_characters_is_refused_beside_the_field(client, world):
    user = world.users["navigator"]
    typed = f"{user.email}\x1b"
    response = client.post(
        reverse("account_login"), {"login": typed, "password": PASSWORD}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [str(error) for error in form.errors["login"]] == [str(MESSAGE)]
    assert escape(str(MESSAGE)) in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_account_forms_refuse_control_characters_too(settings):
    assert all(
        issubclass(import_string(path), PlainTextMixin)
        for path in settings.ACCOUNT_FORMS.values()
    )
