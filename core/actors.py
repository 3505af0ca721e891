"""Who acts: the one type every service, selector and scope rule takes as `actor`.

Two kinds of actor exist. A signed-in person (`core.models.User`): what they may reach is
decided by their memberships (advisor or manager of dealers, regional staff of regions) and
by `is_superuser`. A DMS connection (`ApiClient`, behind an API key): an advisor's rights at
exactly one dealer, which it declares through `scoping_access()`.

`Actor` is a structural type so that `core` names neither class (it depends on no app): any
object with these attributes is an actor, and `core.scoping.access_for` works out what it may
reach. An anonymous visitor (`AnonymousUser`) is an actor that may reach nothing; `None`
stands for "no actor" where a signature allows it (`Actor | None`).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Actor(Protocol):
    """A user with memberships, or an API client acting for one dealer.

    An actor may also offer `scoping_access() -> core.scoping.Access` to declare its access
    itself (the API client does); without it, access comes from the user's memberships.
    """

    @property
    def pk(self) -> Any:
        """The user's id; None for an API client, which is no user."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...


def is_dms(actor: Actor | None) -> bool:
    """Whether the actor is a dealer management system connection (an API client, which
    acts through its key), the system of record for who owns a vehicle."""
    return getattr(actor, "api_key", None) is not None
