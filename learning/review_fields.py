"""The form fields of step 7's review, used by the `close` transition's payload
(complaints.payloads.ClosePayload): one definition for the service, the API and the page.

This module imports nothing of the complaints app, which imports it."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from core.text import MAX_TEXT_LENGTH

MAX_ACTIONS = 10
BLANK_ROWS = 3
ROW_PARTS = ("cause", "action", "owner", "due")
# A due date without a time means the end of that working day, in the dealer's time zone.
END_OF_DAY = time(18, 0)


class YesNoField(forms.Field):
    """Yes or no, required: from a form ("yes"/"no") or JSON (true/false)."""

    widget = forms.RadioSelect(choices=[("yes", _("Yes")), ("no", _("No"))])

    def to_python(self, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("yes", "true", "1"):
            return True
        if text in ("no", "false", "0"):
            return False
        raise forms.ValidationError(_("Answer yes or no."), code="invalid")

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class CorrectiveActionsWidget(forms.Widget):
    """The causes one per line (001's 原因分析 / 分析问题整改), each with its corrective action,
    owner and due date. A page posts `<name>-cause`, `<name>-action`, `<name>-owner` and
    `<name>-due` once per row; the API sends a list of objects."""

    template_name = "learning/widgets/corrective_actions.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.owner_choices: list[tuple[Any, str]] = []

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if hasattr(data, "getlist") and f"{name}-cause" in data:
            columns = [data.getlist(f"{name}-{part}") for part in ROW_PARTS]
            rows = max(len(column) for column in columns)
            return [
                {
                    part: (column[i] if i < len(column) else "")
                    for part, column in zip(ROW_PARTS, columns, strict=True)
                }
                for i in range(rows)
            ]
        return data.get(name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = []
        for row in value if isinstance(value, list) else []:
            if isinstance(row, dict):
                due = row.get("due", row.get("due_at", ""))
                if isinstance(due, datetime):
                    due = timezone.localtime(due).date().isoformat()
                rows.append(
                    {
                        "cause": row.get("cause", ""),
                        "action": row.get("action", ""),
                        "owner": str(row.get("owner", "") or ""),
                        "due": str(due or ""),
                    }
                )
        while len(rows) < BLANK_ROWS or (rows and any(rows[-1].values()) and len(rows) < 10):
            rows.append({"cause": "", "action": "", "owner": "", "due": ""})
        context["widget"]["rows"] = rows
        context["widget"]["owner_choices"] = [(str(k), v) for k, v in self.owner_choices]
        return context


class CorrectiveActionsField(forms.Field):
    """A list of {cause, action, owner, due}: owner is a user id the form's `owners` allow
    (none: the form's default owner), due a date (ISO) or a moment with its offset. Blank
    rows are left out; a row with something in it needs a cause, an action and a due date.
    Cleaned: a list of
    {"cause", "action", "owner" (the user's id), "due_at" (aware datetime)}."""

    widget = CorrectiveActionsWidget
    accepts_list = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner_ids: set[int] = set()
        self.tzinfo: Any = None

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if value in (None, ""):
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(_("Give a list of causes with their actions."))
        if len(value) > MAX_ACTIONS:
            raise forms.ValidationError(
                _("At most %(limit)d causes."), code="max_length", params={"limit": MAX_ACTIONS}
            )
        result = []
        for number, row in enumerate(value, start=1):
            if not isinstance(row, dict):
                raise forms.ValidationError(_("Give a list of causes with their actions."))
            parts = {
                "cause": row.get("cause", ""),
                "action": row.get("action", ""),
                "owner": row.get("owner", ""),
                "due": row.get("due", row.get("due_at", "")),
            }
            if all(v in (None, "") for v in parts.values()):
                continue
            result.append(self._line(number, parts))
        return result

    def _line(self, number: int, parts: dict[str, Any]) -> dict[str, Any]:
        texts = {}
        for part in ("cause", "action"):
            value = parts[part]
            if not isinstance(value, str) or not value.strip():
                raise forms.ValidationError(
                    _("Line %(number)d: give the cause and its corrective action."),
                    code="incomplete",
                    params={"number": number},
                )
            if len(value) > MAX_TEXT_LENGTH:
                raise forms.ValidationError(
                    _("Each text may have at most %(limit)d characters."),
                    code="max_length",
                    params={"limit": MAX_TEXT_LENGTH},
                )
            texts[part] = value.strip()
        owner: int | None = None
        if parts["owner"] not in (None, ""):
            try:
                owner = int(parts["owner"])
            except (TypeError, ValueError):
                owner = -1
        if owner is not None and owner not in self.owner_ids:
            raise forms.ValidationError(
                _("Line %(number)d: choose who owns the action (staff of this dealer)."),
                code="owner",
                params={"number": number},
            )
        due_at = self._due(parts["due"])
        if due_at is None:
            raise forms.ValidationError(
                _("Line %(number)d: give a due date."), code="due", params={"number": number}
            )
        if due_at <= timezone.now():
            raise forms.ValidationError(
                _("Line %(number)d: the due date must be in the future."),
                code="due_past",
                params={"number": number},
            )
        return {**texts, "owner": owner, "due_at": due_at}

    def _due(self, value: Any) -> datetime | None:
        tz = self.tzinfo or timezone.get_current_timezone()
        if isinstance(value, datetime):
            moment: datetime | None = value
        elif isinstance(value, date):
            return datetime.combine(value, END_OF_DAY, tzinfo=tz)
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            try:
                # A bare date first: parse_datetime reads one as midnight.
                day = parse_date(text) if len(text) == len("2026-01-31") else None
                moment = None if day is not None else parse_datetime(text)
            except ValueError:
                return None
            if day is not None:
                return datetime.combine(day, END_OF_DAY, tzinfo=tz)
        else:
            return None
        if moment is None:
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, tz)
        return moment


class DayField(forms.DateField):
    """A date; anything but text or a date (a number, a list from JSON) is refused on the
    field instead of failing."""

    def to_python(self, value: Any) -> date | None:
        if value is not None and not isinstance(value, str | date):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def due_from_date(day: date | None, tzinfo: Any) -> datetime | None:
    """A due date chosen on a page: the end of that working day in the dealer's time zone."""
    return None if day is None else datetime.combine(day, END_OF_DAY, tzinfo=tzinfo)
