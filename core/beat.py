"""Celery beat that sends only while it holds the database lease: any number of beat
processes may run (a second one started by mistake, or a standby on another machine), and
exactly one of them sends the periodic tasks.

The holder renews its lease every third of BEAT_LEASE_SECONDS. It sends nothing once its own
clock says the lease may have run out (counted from before the renewal was asked for, so it
stops no later than the database lets another process take over). A standby asks for the
lease as often; when the holder dies, a standby sends within about 4/3 × BEAT_LEASE_SECONDS.
A holder that stops cleanly hands the lease back at once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

logger = logging.getLogger(__name__)

LEASE_NAME = "celery-beat"


class LeasedScheduler(PersistentScheduler):
    """The schedule file's scheduler (celery's default), sending only under the lease."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lease_seconds = float(settings.BEAT_LEASE_SECONDS)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Monotonic times: until when this process may send, and when to renew next.
        self._valid_until = 0.0
        self._renew_at = 0.0
        super().__init__(*args, **kwargs)

    @property
    def renew_every(self) -> float:
        return self.lease_seconds / 3

    def holds_lease(self) -> bool:
        return time.monotonic() < self._valid_until

    def _renew(self) -> None:
        from .leases import lease_hold

        held = self.holds_lease()
        asked_at = time.monotonic()
        try:
            # A connection broken by a database restart is dropped here, not used.
            close_old_connections()
            expires = lease_hold(name=LEASE_NAME, holder=self.holder, seconds=self.lease_seconds)
        except DatabaseError:
            # The lease runs out on its own: until then the database still counts this
            # process as the holder, and nobody else sends.
            logger.warning("beat %s could not reach the database for its lease", self.holder)
            connection.close()
        else:
            if expires is None:
                if held:
                    logger.warning("beat %s lost the lease to another beat", self.holder)
                self._valid_until = 0.0
            else:
                self._valid_until = asked_at + self.lease_seconds
                if not held:
                    logger.info("beat %s holds the lease: it sends the periodic tasks", self.holder)
        self._renew_at = asked_at + self.renew_every

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if time.monotonic() >= self._renew_at:
            self._renew()
        until_renewal = max(0.0, self._renew_at - time.monotonic())
        if not self.holds_lease():
            return until_renewal
        return min(super().tick(*args, **kwargs), until_renewal)

    def apply_entry(self, entry: Any, producer: Any = None) -> None:
        # Checked again before each message: sending may have taken long enough (a broker
        # that is slow to answer) for the lease to run out meanwhile.
        if not self.holds_lease():
            logger.info("beat %s skips %s: it no longer holds the lease", self.holder, entry.name)
            return
        super().apply_entry(entry, producer=producer)

    def close(self) -> None:
        if self.holds_lease():
            from .leases import lease_release

            try:
                lease_release(name=LEASE_NAME, holder=self.holder)
                logger.info("beat %s handed the lease back", self.holder)
            except DatabaseError:
                logger.warning("beat %s could not hand the lease back", self.holder)
            self._valid_until = 0.0
        super().close()
