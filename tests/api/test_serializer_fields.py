"""The case serializers build their fields once per class: each instance still gets fields of
its own, bound to it, and the output is what DRF's ModelSerializer gives."""

from __future__ import annotations

from rest_framework import serializers

from complaints.choices import SeriousReason, Severity, State
from complaints.models import Complaint
from complaints.serializers import ComplaintDetailSerializer
from core.serializers import FieldsBuiltOnce


class RebuiltEveryTime(ComplaintDetailSerializer):
    def get_fields(self):
        return serializers.ModelSerializer.get_fields(self)


def _context(transitions):
    return {"transitions": lambda complaint: transitions, "open_deadlines": []}


def test_each_instance_binds_fields_of_its_own(db, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)
    first = ComplaintDetailSerializer(case, context=_context(["a"]))
    second = ComplaintDetailSerializer(case, context=_context(["b"]))

    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first and second.fields[name].parent is second
    # Each instance answers with its own context.
    assert first.data["available_transitions"] == ["a"]
    assert second.data["available_transitions"] == ["b"]


def test_the_output_is_that_of_fields_built_from_the_model(db, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)
    case.severity = Severity.SERIOUS
    case.serious_reasons = [SeriousReason.MEDIA]

    built_once = [ComplaintDetailSerializer(case, context=_context([])).data for _ in range(3)]
    rebuilt = RebuiltEveryTime(case, context=_context([])).data

    assert built_once[0] == built_once[2] == rebuilt
    assert rebuilt["serious_reasons"] == ["media"]


class WithAList(FieldsBuiltOnce, serializers.ModelSerializer):
    reasons = serializers.ListField(child=serializers.CharField(), source="serious_reasons")

    class Meta:
        model = Complaint
        fields = ("reference", "reasons")


def test_a_list_field_gets_a_child_of_its_own(db, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)
    case.serious_reasons = [SeriousReason.MEDIA]
    first, second = WithAList(case), WithAList(case)

    reasons = first.fields["reasons"]
    assert reasons is not second.fields["reasons"]
    assert reasons.child is not second.fields["reasons"].child
    assert reasons.child.parent is reasons
    assert first.data["reasons"] == second.data["reasons"] == ["media"]
