"""``|as_field`` prints what crispy's ``|as_crispy_field`` prints, for every kind of
field, bound or not, valid or not; only faster."""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template
from django.test import SimpleTestCase
from django.test.html import parse_html

from chwlink.lib.field_markup import field_markup

CHOICES = [("", "Any"), ("food", "Food <& shelter>"), ("housing", "Housing")]


class EveryKind(forms.Form):
    required_css_class = "is-required"
    error_css_class = "has-error"

    name = forms.CharField(help_text="As on the <em>ID card</em>.")
    nickname = forms.CharField(
        required=False, label="Nick <name>", widget=forms.TextInput({"class": "wide"})
    )
    email = forms.EmailField(required=False)
    age = forms.IntegerField(required=False, min_value=0)
    born = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    password = forms.CharField(required=False, widget=forms.PasswordInput)
    need = forms.ChoiceField(choices=CHOICES, required=False)
    needs = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    answered = forms.NullBooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))
    consent = forms.BooleanField(help_text="Asked out loud.")
    urgent = forms.BooleanField(required=False, label="")
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    unlabelled = forms.CharField(required=False, label="")
    mode = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    kinds = forms.MultipleChoiceField(
        choices=CHOICES[1:], required=False, widget=forms.CheckboxSelectMultiple
    )
    upload = forms.FileField(required=False)
    when = forms.SplitDateTimeField(required=False)

    def clean(self):
        if self.cleaned_data.get("nickname") == "taken":
            self.add_error("nickname", "Someone has it.")
            self.add_error("nickname", "Pick <another>.")


VALID = {"name": "Ana", "consent": "on", "mode": "food", "token": "t"}
INVALID = {
    "name": "",
    "nickname": "taken",
    "email": "not an address",
    "age": "-3",
    "born": "31/02/2026",
    "need": "nothing",
    "needs": ["food", "nothing"],
    "answered": "true",
    "note": "keep <this>",
    "mode": "",
    "urgent": "on",
}
STATES = {
    "unbound": {},
    "valid": {"data": VALID},
    "invalid": {"data": INVALID},
    "prefixed": {"data": INVALID, "prefix": "f"},
    "no ids": {"data": INVALID, "auto_id": False},
    "initial": {"initial": {"name": "Bo", "need": "housing", "consent": True}},
}


def _form(form_class, state):
    form = form_class(**STATES[state])
    if form.is_bound:
        form.is_valid()
    return form


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(EveryKind.base_fields))
def test_every_kind_of_field_prints_as_crispy_prints_it(name, state):
    crispy_form, our_form = _form(EveryKind, state), _form(EveryKind, state)

    ours = field_markup(our_form[name])

    SimpleTestCase().assertHTMLEqual(ours, as_crispy_field(crispy_form[name]))
    # Crispy leaves its classes on the widget; a second print shows the same.
    assert our_form.fields[name].widget.attrs == crispy_form.fields[name].widget.attrs


def test_errors_and_help_are_beside_the_field_in_the_printed_page():
    form = _form(EveryKind, "invalid")

    page = Template("{% load fields %}{{ form.name|as_field }}").render(
        Context({"form": form})
    )

    assert 'class="textinput form-control is-invalid"' in page
    assert ">This field is required.</strong>" in page
    assert 'id="id_name_helptext" class="form-text">As on the <em>ID card</em>.' in page
    assert 'aria-invalid="true"' in page


def test_printing_twice_prints_the_same():
    form = _form(EveryKind, "invalid")

    assert field_markup(form["need"]) == field_markup(form["need"])


class WithHelper(forms.Form):
    name = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_class = "col-3"
        self.helper.field_class = "col-9"
        self.helper.form_class = "form-horizontal"


def test_a_form_with_a_crispy_helper_is_printed_by_crispy():
    ours = field_markup(WithHelper()["name"])

    assert '<div class="col-9">' in ours
    assert parse_html(ours) == parse_html(as_crispy_field(WithHelper()["name"]))
