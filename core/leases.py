"""Leases: a named right that one process holds at a time, for a bounded time.

A holder renews its lease well before it expires; a holder that dies stops renewing, and
another process takes the lease once it has expired. Each call is one statement in its own
short transaction, on the database's clock: nothing lives in a session, so leases work
through PgBouncer in transaction mode, and no machine's clock has to agree with another's.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from .models import Lease

_HOLD = """
INSERT INTO {table} AS lease (name, holder, acquired_at, expires_at)
VALUES (%s, %s, statement_timestamp(), statement_timestamp() + make_interval(secs => %s))
ON CONFLICT (name) DO UPDATE SET
    holder = EXCLUDED.holder,
    acquired_at = CASE WHEN lease.holder = EXCLUDED.holder
                       THEN lease.acquired_at ELSE EXCLUDED.acquired_at END,
    expires_at = EXCLUDED.expires_at
WHERE lease.holder = EXCLUDED.holder OR lease.expires_at <= statement_timestamp()
RETURNING expires_at
"""


def lease_hold(*, name: str, holder: str, seconds: float) -> datetime | None:
    """Take lease `name` for `holder`, or renew it, until `seconds` from now.

    Returns the new expiry, or None while another holder's lease runs. A holder whose lease
    expired and was taken by another gets None too: it must stop acting at once.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _HOLD.format(table=connection.ops.quote_name(Lease._meta.db_table)),
            [name, holder, seconds],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def lease_release(*, name: str, holder: str) -> bool:
    """End `holder`'s lease now, so that the next process takes it without waiting for it
    to expire. False when `holder` did not hold it."""
    from django.db.models.functions import Now

    return bool(Lease.objects.filter(name=name, holder=holder).update(expires_at=Now()))
