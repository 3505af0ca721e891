"""What a timeline event reads as, rendered when it is read, in the reader's language.

An event written by a person carries that person's words (`comment`) and reads as them. An
event written by the system stores facts only (its `payload`): the app that writes it
registers how those facts read, so that an English-speaking manager and a Chinese-speaking
advisor each read the same event in their own language. Events written before their app
stored facts only keep the text they were written with. An app may also say how a kind of
event reads *with* the person's words (a promise: what was promised, when it is due, and the
words as typed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext

if TYPE_CHECKING:
    from .models import CaseEvent

EventText = Callable[["CaseEvent"], str]

_texts: dict[str, EventText] = {}
_with_comment: set[str] = set()


def register_event_text(kind: str, render: EventText, *, with_comment: bool = False) -> None:
    """Render the text of events of `kind` that carry no comment from their payload; with
    `with_comment`, of every event of `kind` (the renderer then shows the comment itself)."""
    _texts[kind] = render
    if with_comment:
        _with_comment.add(kind)


def event_text(event: CaseEvent) -> str:
    render = _texts.get(event.kind)
    if event.comment and event.kind not in _with_comment:
        return event.comment
    return render(event) if render is not None else event.comment


def event_actor(event: CaseEvent) -> str:
    # The system writes no label: "System" is said in the reader's language.
    return event.actor_label or gettext("System")
