"""Hooks other apps attach to; sent by complaints.services.

`case_changed` tells listeners (the outbound webhooks) that a case changed. It decides
nothing: what a change does to deadlines and who is told at once are the service's own
work (followups.deadlines, followups.notify), never a receiver's. It is sent inside the
service's transaction, with the row still locked: receivers may only write to the database
(outbox rows) so that what they write commits or rolls back with the change itself.
Anything that talks to the outside world belongs behind `transaction.on_commit` in the
receiver.

It is sent for every change made through the services. The deadline events the sweep
appends to timelines change nothing in the case and are announced by
`followups.signals.deadlines_breached` instead.
"""

from django.dispatch import Signal

# kwargs: complaint, event (CaseEvent), actor, transition (name or ""), from_state, to_state
case_changed = Signal()
