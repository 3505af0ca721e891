"""Hooks other apps attach to.

Both are sent by the sweep inside its transaction, right after the deadlines were claimed
as breached: receivers may write to the database (an outbound webhook's outbox, say) and
must leave anything external to `on_commit`.

`deadlines_breached` is sent once per batch of the sweep with every deadline breached in
it: a receiver that reads or writes the database does it once for the whole batch, so the
sweep's number of queries does not grow with the number of breaches.

`deadline_breached` is sent once per deadline, and only when something listens to it: for
receivers that need no database work. A receiver listens to one of the two, never both,
or it hears each breach twice.
"""

from django.dispatch import Signal

# kwargs: deadlines (list of followups.models.Deadline, each with `complaint` and its
# `dealer` loaded)
deadlines_breached = Signal()

# kwargs: deadline (followups.models.Deadline), complaint (complaints.models.Complaint)
deadline_breached = Signal()
