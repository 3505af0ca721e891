"""Where outbound webhooks may go.

A dealer's API key registers webhook URLs, and the server then makes requests to them: left
unchecked, a URL could point the server at its own network (the database, a cloud's
metadata service, another dealer's systems). So an endpoint must resolve to public
addresses only, checked when it is registered and again, after a fresh DNS lookup, before
every delivery (a name can be re-pointed after registration). A DMS that lives on a private
network is reached by naming that network in WEBHOOK_ALLOWED_NETWORKS; loopback is allowed
only in development and tests (WEBHOOKS_ALLOW_LOOPBACK).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks() -> list[IPNetwork]:
    """The private networks the operator opened to webhooks (WEBHOOK_ALLOWED_NETWORKS,
    checked at start-up by config.env.env_networks)."""
    return [
        ipaddress.ip_network(entry, strict=False)
        for entry in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", [])
    ]


def loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False) or settings.DEBUG)


def address_allowed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return loopback_allowed()
    if address.is_global and not address.is_multicast:
        return True
    return any(address in network for network in allowed_networks())


def _refused(host: str) -> ValidationError:
    return ValidationError(
        _("%(host)s is not a public address; webhooks are only sent to public endpoints.")
        % {"host": host},
        code="private_address",
    )


def check_host(host: str) -> None:
    """Refuse a host written as a private, loopback or reserved address (or `localhost`)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        if not loopback_allowed():
            raise _refused(host)
        return
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return  # a name: checked when it is resolved, before each delivery
    if not address_allowed(address):
        raise _refused(host)


def check_resolved(url: str) -> None:
    """Resolve the URL's host now and refuse it if any of its addresses is not allowed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    check_host(host)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            _("%(host)s could not be resolved.") % {"host": host}, code="unresolved"
        ) from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address_allowed(address):
            raise _refused(host)
