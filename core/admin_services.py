"""How the admin writes: through the services, or audited where no service exists.

`ServiceAdmin` sends every save and delete to the app's service, so the admin can do
nothing the application forbids and every change is in the audit log with the superuser as
its actor. Its form runs the service once in a savepoint that is rolled back, so that a
refusal shows next to the field like any form error instead of as a failure after saving.

`AuditedAdmin` is for the few records with no service of their own (dealers, regions, user
accounts): Django saves them, and the change is logged as `admin.<model>.<what>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .audit import audit_log
from .exceptions import ApplicationError, ValidationFailed

_NON_FIELD = {"non_field_errors", "__all__", "detail"}


class _DryRun(Exception):
    """Raised to roll back a trial run of a service."""


def _add_service_error(form: forms.BaseForm, error: ApplicationError) -> None:
    if isinstance(error, ValidationFailed) and error.field_errors:
        for name, texts in error.field_errors.items():
            field = name if name in form.fields and name not in _NON_FIELD else None
            for text in texts:
                form.add_error(field, text if field or name in _NON_FIELD else f"{name}: {text}")
        return
    form.add_error(None, str(error.message))


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes are the app's services.

    Subclasses implement `service_save(request, instance, data, change)`, which returns
    the saved object, and, if the model may be deleted here, `service_delete`.
    """

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, instance: Any) -> None:
        raise NotImplementedError

    def _deletes_through_service(self) -> bool:
        return type(self).service_delete is not ServiceAdmin.service_delete

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._deletes_through_service() and super().has_delete_permission(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                if not self.errors:
                    model_admin._trial(request, self, change=obj is not None)
                return cleaned

        return ServiceForm

    def _trial(self, request: HttpRequest, form: forms.BaseForm, *, change: bool) -> None:
        instance = getattr(form, "instance", None)
        try:
            with transaction.atomic():
                self.service_save(request, instance, form.cleaned_data, change)
                raise _DryRun
        except _DryRun:
            pass
        except ApplicationError as error:
            _add_service_error(form, error)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = self.service_save(request, obj, form.cleaned_data, change)
        except ApplicationError as error:
            # Only when the data changed between the form's check and this save: the admin's
            # transaction is rolled back and the superuser told why, rather than shown a
            # success for a record that was not saved.
            raise PermissionDenied(str(error.message)) from error
        obj.pk = saved.pk
        obj._state.adding = False
        # Show what the service stored, not what the form held.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.service_delete(request, obj)


def _form_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple):
        return sorted(v.pk if isinstance(v, models.Model) else v for v in value)
    return value


class AuditedAdmin(admin.ModelAdmin):
    """For records without a service: Django saves them, and the audit log records the
    changed fields as `admin.<model>.created|changed|deleted`. Passwords are never logged,
    only that one was set."""

    def audit_dealer_id(self, obj: Any) -> int | None:
        """The dealer whose managers read the entry; None: administrators only."""
        return None

    def _form_changes(self, form: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        data: dict[str, Any] = {}
        for name in form.changed_data:
            if "password" in name:
                data["password_set"] = True
                continue
            if name not in form.cleaned_data:
                continue
            before[name] = _form_value(form.initial.get(name))
            after[name] = _form_value(form.cleaned_data[name])
        return before, after, data

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before, after, data = self._form_changes(form)
        super().save_model(request, obj, form, change)
        if change and not (before or after or data):
            return
        # form.changed_data already compared the values: log them as they are.
        audit_log(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{'changed' if change else 'created'}",
            target=obj,
            dealer_id=self.audit_dealer_id(obj),
            before=(before or None) if change else None,
            after=after or None,
            data=data,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_log(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.deleted",
            target=obj,
            dealer_id=self.audit_dealer_id(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdminMixin:
    """Shown, never written: the records change only through their services (for a
    ModelAdmin or an inline)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown, never written: the records change only through their services."""


def audit_admin_action(request: HttpRequest, *, action: str, obj: models.Model) -> None:
    """Log that an admin action ran on an object (`admin.<model>.<action>`), for the
    object's dealer; the services the action calls log their own changes."""
    audit_log(
        actor=request.user,
        action=f"admin.{obj._meta.model_name}.{action}",
        target=obj,
        dealer_id=getattr(obj, "dealer_id", None),
    )
