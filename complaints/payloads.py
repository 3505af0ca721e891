"""What each transition needs, as forms: one definition serves the service, the API and the
HTML page, so every entry point applies the same rules and shows the same messages."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import MANAGER
from core.text import MAX_TEXT_LENGTH, StorableInputMixin
from learning.choices import CauseLiesWith
from learning.review_fields import (
    CorrectiveActionsField,
    CorrectiveActionsWidget,
    DayField,
    YesNoField,
    due_from_date,
)

from .choices import (
    REASONS_BY_RESPONSIBILITY,
    FaultFinding,
    FollowUpOutcome,
    Responsibility,
    ResponsibilityReason,
    SeriousReason,
    Severity,
)
from .models import Complaint

MAX_RESOLUTION_OPTIONS = 3
MIN_RESOLUTION_OPTIONS = 2


class TextListWidget(forms.Widget):
    """Several text inputs sharing one name; reads a JSON list or repeated form values."""

    template_name = "complaints/widgets/text_list.html"

    def __init__(self, size: int = MAX_RESOLUTION_OPTIONS, attrs: dict[str, Any] | None = None):
        self.size = size
        super().__init__(attrs)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if hasattr(data, "getlist"):
            return data.getlist(name)
        return data.get(name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = list(value or [])
        values += [""] * (self.size - len(values))
        context["widget"]["values"] = values[: self.size]
        return context


class TextListField(forms.Field):
    widget = TextListWidget
    accepts_list = True

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(_("Give a list of texts."), code="invalid")
        result = []
        for item in value:
            if not isinstance(item, str):
                raise forms.ValidationError(_("Give a list of texts."), code="invalid")
            if len(item) > MAX_TEXT_LENGTH:
                raise forms.ValidationError(
                    _("Each text may have at most %(limit)d characters."),
                    code="max_length",
                    params={"limit": MAX_TEXT_LENGTH},
                )
            if item.strip():
                result.append(item.strip())
        return result


class TransitionPayload(StorableInputMixin, forms.Form):
    """Base of every transition's payload: an optional comment for the timeline. Raw JSON of
    the wrong shape is refused on its field (StorableInputMixin), never raised."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        complaint: Complaint,
        actor: Any,
        **kwargs: Any,
    ) -> None:
        self.complaint = complaint
        self.actor = actor
        super().__init__(data, **kwargs)

    def unknown_fields(self) -> list[str]:
        if not isinstance(self.data, Mapping):
            return []
        ignored = {"csrfmiddlewaretoken", "expected_state", "version"}
        return sorted(k for k in self.data if k not in self.fields and k not in ignored)


class ReasonPayload(TransitionPayload):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class StartListeningPayload(TransitionPayload):
    pass


class StartInvestigationPayload(TransitionPayload):
    description = forms.CharField(
        label=_("Confirmed complaint summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Confirm with the customer what the complaint is about. "
            "The customer's original words are kept unchanged."
        ),
    )
    customer_request = forms.CharField(
        label=_("Customer's request"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].initial = self.complaint.description
        self.fields["customer_request"].initial = self.complaint.customer_request


class RecordFindingsPayload(TransitionPayload):
    fault_finding = forms.ChoiceField(
        label=_("Fault finding"), choices=FaultFinding.choices, widget=forms.RadioSelect
    )
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionPayload(TransitionPayload):
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, widget=forms.RadioSelect
    )
    serious_reasons = forms.MultipleChoiceField(
        label=_("Serious because"),
        choices=SeriousReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_safety_related = forms.NullBooleanField(label=_("Safety-related"), required=False)
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=Responsibility.choices)
    responsibility_reason = forms.ChoiceField(
        label=_("Responsibility reason"),
        required=False,
        choices=[("", "—"), *ResponsibilityReason.choices],
    )
    responsibility_evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when the customer is held responsible: without evidence, "
            "the customer is not at fault."
        ),
    )
    resolution_options = TextListField(
        label=_("Resolution options"),
        help_text=_("Prepare two or three solutions."),
    )
    chosen_resolution = forms.CharField(label=_("Chosen resolution"))
    compensation_amount = forms.DecimalField(
        label=_("Goodwill or compensation"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        complaint = self.complaint
        for name in (
            "severity",
            "serious_reasons",
            "responsibility",
            "responsibility_reason",
            "responsibility_evidence",
            "resolution_options",
            "chosen_resolution",
            "compensation_amount",
            "is_safety_related",
        ):
            self.fields[name].initial = getattr(complaint, name)

    def clean_resolution_options(self) -> list[str]:
        options = self.cleaned_data["resolution_options"]
        if not MIN_RESOLUTION_OPTIONS <= len(options) <= MAX_RESOLUTION_OPTIONS:
            raise forms.ValidationError(
                _("Prepare two or three resolution options."), code="resolution_options_count"
            )
        if len(set(options)) != len(options):
            raise forms.ValidationError(_("The options must differ."), code="duplicate_options")
        return options

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        severity = data.get("severity")
        reasons = data.get("serious_reasons") or []
        if severity == Severity.SERIOUS and not reasons:
            self.add_error(
                "serious_reasons",
                forms.ValidationError(
                    _("Say why the complaint is serious."), code="serious_reasons_required"
                ),
            )
        if severity == Severity.NORMAL and reasons:
            self.add_error(
                "serious_reasons",
                forms.ValidationError(
                    _("A complaint with serious reasons is serious, not normal."),
                    code="serious_reasons_need_serious",
                ),
            )

        responsibility = data.get("responsibility")
        reason = data.get("responsibility_reason") or ""
        if responsibility:
            allowed = REASONS_BY_RESPONSIBILITY[Responsibility(responsibility)]
            if allowed and not reason:
                self.add_error(
                    "responsibility_reason",
                    forms.ValidationError(
                        _("Give the reason for this responsibility."),
                        code="responsibility_reason_required",
                    ),
                )
            elif reason and reason not in allowed:
                self.add_error(
                    "responsibility_reason",
                    forms.ValidationError(
                        _("This reason does not belong to the chosen responsibility."),
                        code="responsibility_reason_mismatch",
                    ),
                )
        if (
            responsibility == Responsibility.CUSTOMER
            and not data.get("responsibility_evidence", "").strip()
        ):
            self.add_error(
                "responsibility_evidence",
                forms.ValidationError(
                    _("Holding the customer responsible needs evidence."), code="evidence_required"
                ),
            )

        options = data.get("resolution_options") or []
        chosen = (data.get("chosen_resolution") or "").strip()
        if chosen and options and chosen not in options:
            self.add_error(
                "chosen_resolution",
                forms.ValidationError(
                    _("Choose one of the resolution options."), code="chosen_not_an_option"
                ),
            )
        data["chosen_resolution"] = chosen
        data["serious_reasons"] = list(reasons)
        data["responsibility_reason"] = reason
        if data.get("compensation_amount") is None:
            data["compensation_amount"] = Decimal("0")
        return data

    def approval_required(self) -> bool:
        return self.complaint.approval_required(
            severity=self.cleaned_data.get("severity"),
            compensation_amount=self.cleaned_data.get("compensation_amount"),
        )


class DecidePayload(DecisionPayload):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and self.approval_required():
            raise forms.ValidationError(
                _(
                    "This decision needs a manager's approval (serious complaint, or "
                    "compensation above %(limit)s %(currency)s): submit it for approval."
                ),
                code="approval_required",
                params={
                    "limit": self.complaint.dealer.approval_limit,
                    "currency": self.complaint.dealer.currency,
                },
            )
        return data


class ApprovePayload(TransitionPayload):
    pass


class RejectPayload(ReasonPayload):
    pass


class CompleteActionPayload(TransitionPayload):
    agreed_resolution = forms.CharField(
        label=_("Agreed resolution"), widget=forms.Textarea(attrs={"rows": 3})
    )
    actions_taken = forms.CharField(
        label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed_resolution"].initial = (
            self.complaint.agreed_resolution or self.complaint.chosen_resolution
        )
        self.fields["actions_taken"].initial = self.complaint.actions_taken


class FollowUpContactMixin(forms.Form):
    """Step 6 is decided by what the customer said in a logged contact: the payload may name
    the contact (`contact`, its id); without it, the latest one since the case entered the
    follow-up step with the needed outcome is used."""

    required_outcome: str = ""
    missing_message: Any = ""
    complaint: Complaint
    actor: Any

    contact = forms.IntegerField(
        label=_("Follow-up contact"),
        required=False,
        min_value=1,
        help_text=_("Empty: the latest matching contact logged during the follow-up."),
    )

    def clean_contact(self) -> Any:
        from followups.selectors import follow_up_contact

        contact = follow_up_contact(
            actor=self.actor,
            complaint=self.complaint,
            outcome=self.required_outcome,
            contact_id=self.cleaned_data.get("contact"),
        )
        if contact is None:
            raise forms.ValidationError(self.missing_message, code="contact_required")
        return contact


class ConfirmResolvedPayload(FollowUpContactMixin, TransitionPayload):
    required_outcome = FollowUpOutcome.SATISFIED
    missing_message = _(
        "Log the follow-up contact in which the customer said they are satisfied first; "
        "if they are not, reopen the case."
    )


class ReopenPayload(FollowUpContactMixin, ReasonPayload):
    required_outcome = FollowUpOutcome.DISSATISFIED
    missing_message = _(
        "Log the follow-up contact in which the customer said they are still dissatisfied first."
    )

    co_owner = forms.ModelChoiceField(
        label=_("Manager who co-owns the case"),
        required=False,
        queryset=get_user_model().objects.none(),
        help_text=_("Defaults to you if you are a manager, else the manager who approved."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.managers = get_user_model().objects.filter(
            is_active=True,
            memberships__dealer_id=self.complaint.dealer_id,
            memberships__role=MANAGER,
        )
        cast(forms.ModelChoiceField, self.fields["co_owner"]).queryset = self.managers

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if data.get("co_owner") is None:
            data["co_owner"] = self._default_co_owner()
        if data["co_owner"] is None:
            raise forms.ValidationError(
                _("This dealer has no manager to co-own the case."), code="no_manager"
            )
        return data

    def _default_co_owner(self) -> Any:
        queryset = self.managers
        for candidate_id in (
            getattr(self.actor, "pk", None),
            self.complaint.approved_by_id,
            self.complaint.co_owner_id,
        ):
            if candidate_id is not None:
                found = queryset.filter(pk=candidate_id).first()
                if found is not None:
                    return found
        return queryset.order_by("memberships__created_at", "pk").first()


class ClosePayload(TransitionPayload):
    """Step 7's review (000's PDCA, 001's case analysis form, 003's system-or-person): written
    by the closing manager; learning.services.case_review_write stores it."""

    review_why = forms.CharField(
        label=_("Why did it become a complaint?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    handled_well = YesNoField(label=_("Was it handled well?"))
    review_handling = forms.CharField(
        label=_("How was it handled?"), widget=forms.Textarea(attrs={"rows": 2})
    )
    root_cause_category = forms.ChoiceField(label=_("Root-cause category"), choices=())
    cause_lies_with = forms.ChoiceField(
        label=_("The cause lies with"), choices=CauseLiesWith.choices, widget=forms.RadioSelect
    )
    corrective_actions = CorrectiveActionsField(
        label=_("Causes, one per line, each with its corrective action"),
        help_text=_(
            "Each action has an owner (by default the case's advisor) and a due date; its "
            "owner checks it when due."
        ),
    )
    review_prevention = forms.CharField(
        label=_("Anything else that prevents it next time?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reflection_required = forms.BooleanField(
        label=_("The advisor writes a reflection report"), required=False
    )
    reflection_due = DayField(
        label=_("Reflection report due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from learning.selectors import review_choices

        choices = review_choices(complaint=self.complaint)
        cast(forms.ChoiceField, self.fields["root_cause_category"]).choices = [
            ("", "—"),
            *choices.root_causes,
        ]
        actions = cast(CorrectiveActionsField, self.fields["corrective_actions"])
        actions.owner_ids = {pk for pk, _label in choices.owners}
        actions.tzinfo = self.complaint.dealer.tzinfo
        cast(CorrectiveActionsWidget, actions.widget).owner_choices = choices.owners

    def unknown_fields(self) -> list[str]:
        # A page posts the action lines as corrective_actions-cause, -action, -owner, -due.
        return [f for f in super().unknown_fields() if not f.startswith("corrective_actions-")]

    def clean_corrective_actions(self) -> list[dict[str, Any]]:
        lines = self.cleaned_data["corrective_actions"]
        if not lines:
            raise forms.ValidationError(
                _("Give at least one cause with its corrective action."), code="required"
            )
        # An action nobody was named for is the case's advisor's, else the closer's.
        default = self.complaint.assignee_id or getattr(self.actor, "pk", None)
        owners = cast(CorrectiveActionsField, self.fields["corrective_actions"]).owner_ids
        for line in lines:
            if line["owner"] is None:
                if default not in owners:
                    raise forms.ValidationError(
                        _("Choose who owns each action (staff of this dealer)."), code="owner"
                    )
                line["owner"] = default
        return lines

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("reflection_required"):
            if self.complaint.assignee_id is None:
                self.add_error(
                    "reflection_required",
                    _("The case has no advisor to write a reflection report."),
                )
            due = due_from_date(data.get("reflection_due"), self.complaint.dealer.tzinfo)
            if due is None:
                self.add_error("reflection_due", _("Give the date the report is due."))
            elif due <= timezone.now():
                self.add_error("reflection_due", _("The due date must be in the future."))
            else:
                data["reflection_due"] = due
        else:
            data["reflection_due"] = None
        return data


class WithdrawPayload(ReasonPayload):
    pass


PAYLOADS: dict[str, type[TransitionPayload]] = {
    "start_listening": StartListeningPayload,
    "start_investigation": StartInvestigationPayload,
    "record_findings": RecordFindingsPayload,
    "decide": DecidePayload,
    "submit_for_approval": DecisionPayload,
    "approve": ApprovePayload,
    "reject": RejectPayload,
    "complete_action": CompleteActionPayload,
    "confirm_resolved": ConfirmResolvedPayload,
    "reopen": ReopenPayload,
    "close": ClosePayload,
    "withdraw": WithdrawPayload,
}
