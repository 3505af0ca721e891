"""Messages as the case page shows them: the send form, the case's messages, and each
logged contact that is a message marked with it (its delivery state)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from complaints.models import Complaint

from . import selectors
from .forms import MessageForm
from .services import _default_language, preferred_channel


def message_form_initial(complaint: Complaint) -> dict[str, str]:
    return {
        "purpose": "progress",
        "language": _default_language(),
        "channel": preferred_channel(complaint.customer),
    }


def case_messaging(
    request: HttpRequest,
    complaint: Complaint,
    *,
    contacts: list[Any],
    form: MessageForm | None = None,
) -> dict[str, Any]:
    messages = list(selectors.message_list(actor=request.user, complaint=complaint))
    by_contact = {message.contact_id: message for message in messages}
    for contact in contacts:
        contact.customer_message_shown = by_contact.get(contact.pk)
    return {
        "messages": messages,
        "form": form or MessageForm(prefix="message", initial=message_form_initial(complaint)),
    }
