"""A model choice field whose options are read as a few columns.

A filter lists every navigator of a large CBO (hundreds) on every page; building a
user object for each option cost more than the rest of the filter bar. Choosing
still checks the value against the field's queryset, as any model choice does.
"""

from django import forms
from django.forms.models import ModelChoiceIterator


class _Options(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.options(self.queryset)


class RowChoiceField(forms.ModelChoiceField):
    """``options(queryset)`` gives the (value, label) pairs: a subclass reads
    them with ``values_list``; by default they come from the model objects."""

    iterator = _Options

    def options(self, queryset):
        for row in queryset:
            yield (self.prepare_value(row), self.label_from_instance(row))
