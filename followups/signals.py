"""Hooks other apps attach to.

`deadline_breached` is sent by the sweep inside its transaction, once per deadline, right
after the deadline was claimed as breached: receivers may write to the database (an
outbound webhook's outbox, say) and must leave anything external to `on_commit`.
"""

from django.dispatch import Signal

# kwargs: deadline (followups.models.Deadline), complaint (complaints.models.Complaint)
deadline_breached = Signal()
