"""Django's form renderer, with drop-down lists and plain inputs built in Python.

Django renders every ``<option>`` and every ``<input>`` through templates of its
own: a filter bar of clinics, navigators, languages and needs paid a template
render for each of its hundred-odd options, and the admin's list one for each row's
checkbox, on every page. The markup here is exactly what Django's ``select.html``,
``select_option.html`` and ``input.html`` print (a test compares them); any other
widget, or an option with a template of its own, still goes through the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's widget templates that are nothing but ``{% include "…/input.html" %}``.
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden",
        "number", "password", "search", "tel", "text", "time", "url",
    )
}  # fmt: skip
GROUP_END = SafeString("\n  </optgroup>")
SELECT_END = SafeString("\n</select>")


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and _plain_options(context["widget"]):
            return _select(context["widget"])
        if template_name in INPUTS:
            return _input(context["widget"])
        return super().render(template_name, context, request)


def _plain_options(widget) -> bool:
    return all(
        option["template_name"] == OPTION
        for _group, options, _index in widget["optgroups"]
        for option in options
    )


def _select(widget) -> str:
    # With the template's whitespace: each included option ends with its newline.
    # Options are joined as escaped text, not through ``format_html`` each: a
    # navigator filter lists hundreds.
    parts = [format_html('<select name="{}"{}>', _text(widget["name"]), _attrs(widget))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', _text(group_name)))
        parts.extend(
            f'\n  <option value="{conditional_escape(_as_string(option["value"]))}"'
            f"{_attrs(option)}>{_text(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append(GROUP_END)
    parts.append(SELECT_END)
    # Every part was escaped as it was built.
    return mark_safe("".join(parts))  # noqa: S308


# Only read: how a template prints a variable (escaped, localized).
PRINTING = Context(autoescape=True)


def _text(value):
    return render_value_in_context(value, PRINTING)


def _input(widget) -> str:
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        _text(widget["type"]),
        _text(widget["name"]),
        format_html(' value="{}"', _as_string(value)) if value is not None else "",
        _attrs(widget),
    )


def _attrs(widget) -> str:
    """``attrs.html``: a True value prints the bare name, False prints nothing."""
    if not widget["attrs"]:
        return ""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(" {}", name)
                if value is True
                else format_html(' {}="{}"', name, _as_string(value)),
            )
            for name, value in widget["attrs"].items()
            if value is not False
        ),
    )


def _as_string(value):
    # ``stringformat:'s'`` keeps a safe string safe and makes anything else text.
    return value if hasattr(value, "__html__") else str(value)
