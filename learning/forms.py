"""The learning pages' forms (HTML only; every rule is the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.choices import Category, Component, Responsibility, Severity

from .choices import CauseLiesWith, CheckResult
from .models import ReflectionReport
from .review_fields import DayField


class CheckForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Was it done, and did it work?"),
        choices=CheckResult.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_due = DayField(
        label=_("New due date (when not done or it did not work)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = ReflectionReport
        fields = list(ReflectionReport.FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ReflectionReport.FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Manager's comment"), widget=forms.Textarea(attrs={"rows": 3})
    )


class LibraryAddForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("What to learn from it"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    required_for_new_staff = forms.BooleanField(
        label=_("Required reading for every new member of staff"), required=False
    )


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    component = forms.ChoiceField(label=_("Component"), required=False, choices=())
    root_cause = forms.ChoiceField(label=_("Root cause"), required=False, choices=())
    responsibility = forms.ChoiceField(label=_("Responsibility"), required=False, choices=())
    cause_lies_with = forms.ChoiceField(label=_("The cause lies with"), required=False, choices=())
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=())

    def __init__(self, *args: Any, root_causes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "category": Category.choices,
            "component": Component.choices,
            "root_cause": root_causes,
            "responsibility": Responsibility.choices,
            "cause_lies_with": CauseLiesWith.choices,
            "severity": Severity.choices,
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = _blank(values)


class AssignForm(forms.Form):
    users = forms.MultipleChoiceField(
        label=_("Staff who must read it"), choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["users"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(pk), label) for pk, label in staff]


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Lesson"), widget=forms.Textarea(attrs={"rows": 5}))
    cases = forms.CharField(
        label=_("Drawn from cases (references, comma-separated)"), required=False
    )
    audience = forms.ChoiceField(label=_("To"), choices=())

    def __init__(self, *args: Any, audiences: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["audience"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = audiences


class RootCauseForm(forms.Form):
    label = forms.CharField(label=_("New category"), max_length=100)
