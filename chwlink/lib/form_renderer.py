"""Django's form renderer, with drop-down lists built in Python.

Django renders every ``<option>`` through a template of its own: a filter bar of
clinics, navigators, languages and needs paid a template render for each of its
hundred-odd options, on every list page. The markup here is exactly what Django's
``select.html`` and ``select_option.html`` print (a test compares the two); any other
widget, or an option with a template of its own, still goes through the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
GROUP_END = SafeString("\n  </optgroup>")
SELECT_END = SafeString("\n</select>")


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and _plain_options(context["widget"]):
            return _select(context["widget"])
        return super().render(template_name, context, request)


def _plain_options(widget) -> bool:
    return all(
        option["template_name"] == OPTION
        for _group, options, _index in widget["optgroups"]
        for option in options
    )


def _select(widget) -> str:
    # As the template prints its variables (escaped, localized), and with its
    # whitespace: each included option ends with its file's newline.
    context = Context(autoescape=True)

    def text(value):
        return render_value_in_context(value, context)

    parts = [format_html('<select name="{}"{}>', text(widget["name"]), _attrs(widget))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', text(group_name)))
        parts.extend(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                _as_string(option["value"]),
                _attrs(option),
                text(option["label"]),
            )
            for option in options
        )
        if group_name:
            parts.append(GROUP_END)
    parts.append(SELECT_END)
    return format_html_join("", "{}", ((part,) for part in parts))


def _attrs(widget) -> str:
    """``attrs.html``: a True value prints the bare name, False prints nothing."""
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
