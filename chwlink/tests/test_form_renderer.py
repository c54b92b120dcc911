"""Drop-down lists built in Python print exactly what Django's templates print."""

import datetime
from decimal import Decimal

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from chwlink.lib.form_renderer import INPUTS, FormRenderer
from referrals.forms.referral import InboxFilterForm

CHOICES = [
    ("", "Any"),
    ("a&b", 'Tom & "Jerry" <script>'),
    ("safe", mark_safe("<b>bold</b>")),
    ("lazy", gettext_lazy("Clinic")),
    (
        "Group <1>",
        [
            (1, 1234567),
            (Decimal("2.5"), Decimal("2.50")),
            ("d", datetime.date(2026, 1, 2)),
        ],
    ),
    (None, "None as a value"),
]


def _both(widget, name, value, attrs=None):
    return (
        widget.render(name, value, attrs=attrs, renderer=DjangoTemplates()),
        widget.render(name, value, attrs=attrs, renderer=FormRenderer()),
    )


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.Select(choices=CHOICES), "a&b"),
        (forms.Select(choices=CHOICES), 1),
        (forms.Select(choices=CHOICES), None),
        (forms.SelectMultiple(choices=CHOICES), ["safe", "d", "2.5"]),
        (forms.NullBooleanSelect(), True),
        (forms.Select(choices=[]), ""),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_select_prints_what_the_django_template_prints(widget, value, language):
    attrs = {
        "class": "form-select",
        "required": True,
        "disabled": False,
        "data-x": 'a "quoted" <v>',
        "data-none": None,
        "data-n": 3,
    }
    with translation.override(language):
        template, python = _both(widget, 'name"<>', value, attrs)
    assert python == template
    assert "<option" in python or not widget.choices


INPUT_ATTRS = {"class": "form-control", "required": True, "data-q": '"<&>"'}


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.TextInput(), 'Tom & "Jerry" <script>'),
        (forms.TextInput(), None),
        (forms.TextInput(), ""),
        (forms.NumberInput(), 1234.5),
        (forms.EmailInput(), "a@example.org"),
        (forms.HiddenInput(), mark_safe("<b>")),
        (forms.PasswordInput(), "secret"),
        (forms.PasswordInput(render_value=True), "secret"),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.DateInput(), datetime.date(2026, 1, 2)),
        (forms.DateTimeInput(), datetime.datetime(2026, 1, 2, 3, 4)),
        (forms.TimeInput(), datetime.time(3, 4)),
        (forms.URLInput(), "https://example.org/?a=1&b=2"),
        (forms.FileInput(), None),
        (forms.ClearableFileInput(), None),
        (forms.SplitDateTimeWidget(), datetime.datetime(2026, 1, 2, 3, 4)),
        (forms.Textarea(), "two\nlines <p>"),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_an_input_prints_what_the_django_template_prints(widget, value, language):
    with translation.override(language):
        template, python = _both(widget, "f<", value, dict(INPUT_ATTRS))
    assert python == template


@pytest.mark.parametrize("template_name", sorted(INPUTS))
def test_each_input_template_taken_over_is_the_plain_input(template_name):
    widget = type(
        "Widget",
        (forms.widgets.Input,),
        {"template_name": template_name, "input_type": "x"},
    )()
    template, python = _both(widget, "f", "v", {"id": "i"})
    assert python == template == '<input type="x" name="f" value="v" id="i">'


def test_an_option_with_a_template_of_its_own_still_uses_it():
    class Radioish(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Radioish(choices=[("x", "X")])
    template, python = _both(widget, "f", "x")
    assert python == template
    assert "<input" in python and "<option" not in python


@pytest.mark.django_db
def test_a_whole_filter_form_renders_the_same(partnership):
    clinics = partnership.clinics.all()
    form = InboxFilterForm({"language": "es", "need": "nonsense"}, clinics=clinics)
    form.is_valid()
    form.renderer = DjangoTemplates()
    template = render_crispy_form(form)
    form.renderer = FormRenderer()
    python = render_crispy_form(form)
    assert python == template
    assert 'class="select form-select' in python or "form-select" in python
    assert 'value="es" selected' in python
