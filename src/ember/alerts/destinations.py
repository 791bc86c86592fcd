"""Where alert notifications may go: never to this machine or the private network,
unless an administrator allows the host.

A rep chooses their own notification URLs, so without this a URL such as
``json://127.0.0.1:8080/admin`` or ``json://169.254.169.254/...`` would make the
server post to addresses only it can reach. Two checks, because DNS answers
change between saving a URL and using it:

* :func:`check_url` when a URL is saved and again just before each send: every
  host the URL names is resolved and refused when any of its addresses is
  private, loopback, link-local, multicast, reserved or unspecified (IPv4 or IPv6,
  IPv4-mapped included).
* :func:`guarded_sending` while a notification is sent: every connection the
  sending thread opens is checked at the socket (a Python audit hook), so a
  redirect, a host name in another form, or a DNS answer that changed a moment
  ago reaches nothing it should not.

``EMBER_ALERT_ALLOWED_HOSTS`` lists host names, addresses or networks that may be
reached anyway (an in-house Mattermost, a relay on the private network).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ember.errors import InvalidInput, Problem
from ember.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], list[IPAddress]]

ALLOW_SETTING = "EMBER_ALERT_ALLOWED_HOSTS"


def forbidden_reason(address: IPAddress) -> str | None:
    """Why the server must not connect to ``address`` on a rep's behalf, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (("loopback", address.is_loopback), ("link-local", address.is_link_local),
              ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
              ("reserved", address.is_reserved), ("private", address.is_private or not address.is_global))
    return next((f"a {name} address" for name, hit in checks if hit), None)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def resolve(host: str) -> list[IPAddress]:
    """Every address ``host`` resolves to (none when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    found = (_literal(str(info[4][0])) for info in infos)
    return sorted({a for a in found if a is not None}, key=str)


@dataclass(frozen=True)
class DestinationPolicy:
    """The administrator's exceptions: host names, addresses and networks that may be reached."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> DestinationPolicy:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip().lower() for e in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.lower().strip("[]").rstrip(".") in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def allowed_addresses(self, resolver: Resolver = resolve) -> frozenset[IPAddress]:
        """The addresses the allowed names stand for now (for the connection check)."""
        return frozenset(a for name in self.names for a in resolver(name))


def destination_policy(settings: Settings) -> DestinationPolicy:
    return DestinationPolicy.parse(settings.alerts.alert_allowed_hosts)


def destination_hosts(url: str) -> list[str]:
    """The network hosts an apprise URL makes the server connect to.

    Services at a fixed address (Slack, Discord, Telegram, ...) carry tokens where
    a host would be: a name without a dot is taken as a host only when it is
    ``localhost`` or an address; the connection check covers anything else.
    """
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return []
    candidates = [getattr(plugin, "host", None), getattr(plugin, "smtp_host", None)]
    hosts: list[str] = []
    for host in (str(c).strip() for c in candidates if c):
        if host and host not in hosts and ("." in host or ":" in host or host.lower() == "localhost"):
            hosts.append(host)
    return hosts


def check_url(url: str, policy: DestinationPolicy, resolver: Resolver = resolve) -> None:
    """Refuse a URL that would reach this machine or a private network (422, saying how to allow it)."""
    for host in destination_hosts(url):
        if policy.allows_name(host):
            continue
        literal = _literal(host)
        for address in [literal] if literal is not None else resolver(host):
            reason = forbidden_reason(address)
            if reason is None or policy.allows_address(address):
                continue
            shown = host if literal is not None else f"{host} (resolves to {address})"
            raise InvalidInput(f"notifications may not go to {shown}: it is {reason}", [Problem(
                "URL", f"{shown} is {reason}, which only the Ember server itself can reach",
                f"use a public address, or ask an administrator to add {host.strip('[]')} to {ALLOW_SETTING}")])


# ---- the connection check while sending ---------------------------------------------

class RefusedDestination(ConnectionRefusedError):
    """Raised inside a notification library when it tries to reach a forbidden address."""


@dataclass
class _Guard:
    policy: DestinationPolicy
    allowed: frozenset[IPAddress]
    refused: list[str] = field(default_factory=list)


_active = threading.local()
_hook_lock = threading.Lock()
_hook_installed = False


def _socket_audit(event: str, args: tuple[Any, ...]) -> None:
    guard: _Guard | None = getattr(_active, "guard", None)
    if guard is None or event not in ("socket.connect", "socket.sendto"):
        return
    address = args[1] if event == "socket.connect" else args[-1]
    if not isinstance(address, tuple) or not address:
        return  # a Unix socket: not a network destination
    host = str(address[0])
    if guard.policy.allows_name(host):
        return
    literal = _literal(host)
    _active.guard = None  # resolving below must not check itself
    try:
        addresses = [literal] if literal is not None else resolve(host)
    finally:
        _active.guard = guard
    for found in addresses:
        reason = forbidden_reason(found)
        if reason and found not in guard.allowed and not guard.policy.allows_address(found):
            guard.refused.append(f"{found} ({reason})")
            raise RefusedDestination(f"refused to connect to {found}: it is {reason}")


def _install_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_socket_audit)  # audit hooks cannot be removed: it is idle outside a guard
            _hook_installed = True


@contextmanager
def guarded_sending(policy: DestinationPolicy) -> Iterator[list[str]]:
    """Within the block, this thread can reach no forbidden address; yields what was refused."""
    _install_hook()
    guard = _Guard(policy, policy.allowed_addresses())
    previous = getattr(_active, "guard", None)
    _active.guard = guard
    try:
        yield guard.refused
    finally:
        _active.guard = previous
