"""Helpers shared by the API's serializers."""

from __future__ import annotations

import copy

from rest_framework import serializers


class FieldsBuiltOnce:
    """A ModelSerializer whose fields are built from its model once per class, not once per
    instance.

    DRF's ModelSerializer introspects the model (field info, field classes, their arguments)
    every time an instance is used; for a response of one case that costs more than writing
    the case. The fields it builds depend on the class alone (its Meta and declared fields),
    so they are built on first use and each instance gets copies to bind."""

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]
        # A shallow copy is enough to bind (binding sets the copy's own name, parent and
        # source) and costs a tenth of DRF's deep copy; a field holding a bound child (a
        # list of something) is copied whole, so that its child's parent is its own.
        return {
            name: copy.deepcopy(field) if hasattr(field, "child") else copy.copy(field)
            for name, field in built.items()
        }
