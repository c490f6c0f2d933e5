"""The served emulator's network policy: which ``Host`` names and ``Origin`` values it trusts (pure, no HTTP).

Why these rules (docs/security.md has the whole threat model): a DNS-rebinding page reaches the server under
the attacker's own *name*, so the Host check refuses names, and trusts IP literals, ``localhost``, the bound
host, the public URL's host and the names the user allowed. A Host that is an IP literal cannot come from
rebinding (the browser sends the name it resolved, and an attacker cannot rename an address), which is also
why Vite and webpack-dev-server trust them; it lets clients reach a ``0.0.0.0`` bind by any of its addresses.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

LOOPBACK_NAME = "localhost"
ANY_HOST = "*"
VERDICT_LIMIT = 256
# A DNS name: dot-separated labels of letters, digits, hyphens and underscores (Docker names use them).
_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)


@dataclass(frozen=True)
class NetworkPolicy:
    """What a served emulator trusts from the network; ``mockgraph serve`` sets it, in-process apps have none.

    ``allowed_hosts`` holds names (``mockgraph``), suffixes (``.svc.cluster.local``: the domain and every
    subdomain) or ``*`` (any well-formed host: turns the DNS-rebinding defence off). ``public_url`` is the
    origin clients use (``https://mockgraph.example:8443``): every absolute URL the emulator returns uses it,
    and its host is trusted. ``allow_secret_export`` lets ``/_mockgraph/snapshot?secrets=true`` answer.
    """

    bound_host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()
    public_url: str | None = None
    allow_secret_export: bool = False
    # Verdicts per Host value: a server sees a handful, and the check costs ~5 µs for an IP literal.
    # Bounded, so a stream of junk Host values cannot grow it.
    _verdicts: dict[str, bool] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def trusts_host(self, authority: str) -> bool:
        """``host_is_trusted(authority, self)``, remembered."""
        verdict = self._verdicts.get(authority)
        if verdict is None:
            verdict = host_is_trusted(authority, self)
            if len(self._verdicts) >= VERDICT_LIMIT:
                self._verdicts.clear()
            self._verdicts[authority] = verdict
        return verdict

    @cached_property
    def trusted_names(self) -> tuple[str, ...]:
        """The names (and suffixes) trusted besides IP literals: ``localhost`` and the configured ones."""
        names = [LOOPBACK_NAME, self.bound_host.lower(), *(h.lower() for h in self.allowed_hosts)]
        if self.public_url:
            names.append((urlsplit(self.public_url).hostname or "").lower())
        return tuple(dict.fromkeys(n for n in names if n))


def is_loopback_address(address: str | None) -> bool:
    """Whether a peer address is loopback: 127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6.

    A server bound to ``::`` sees IPv4 callers as ``::ffff:127.0.0.1``, which Python 3.11's ``is_loopback``
    does not count; a zone suffix (``%lo``) is ignored.
    """
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def split_authority(authority: str) -> tuple[str, int | None] | None:
    """``(host, port)`` of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``); None when malformed.

    The host is lowercased and IPv6 literals lose their brackets.
    """
    text = authority.strip().lower()
    port_text: str | None = None
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return None
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
        if not _is_ip(host):
            return None
    else:
        host, colon, port_text_found = text.partition(":")
        port_text = port_text_found if colon else None
        if not (_is_ip(host) or _NAME.match(host)):
            return None
    if port_text is None:
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) <= 65535:
        return None
    return host, int(port_text)


_IPV4_CHARS = frozenset("0123456789.")


def _is_ip(text: str) -> bool:
    # ``ip_address`` raises two formatted exceptions for a name (~13 µs): look at the characters first.
    if ":" not in text and not (text and set(text) <= _IPV4_CHARS):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _name_matches(host: str, entry: str) -> bool:
    if entry.startswith("."):
        return host == entry[1:] or host.endswith(entry)
    return host == entry


def host_is_trusted(authority: str, policy: NetworkPolicy) -> bool:
    """Whether a ``Host`` header names this server: an IP literal, ``localhost``, or a trusted name."""
    parts = split_authority(authority)
    if parts is None:
        return False
    host = parts[0]
    if _is_ip(host) or ANY_HOST in policy.allowed_hosts:
        return True
    return any(_name_matches(host, entry) for entry in policy.trusted_names)


def origin_is_trusted(origin: str, served_origin: str, policy: NetworkPolicy | None) -> bool:
    """Whether an ``Origin`` header is this server's own origin, the public URL's, or an allowed host's.

    ``*`` in ``allowed_hosts`` does not extend to origins: it gives up the Host check, not the CSRF one.
    """
    if origin.lower() == served_origin.lower():
        return True
    if policy is None:
        return False
    if policy.public_url and origin.lower() == _origin_of(policy.public_url):
        return True
    parts = urlsplit(origin)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    return any(_name_matches(host, entry.lower()) for entry in policy.allowed_hosts if entry != ANY_HOST)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_allowed_host(entry: str) -> str:
    """An ``allowed_hosts`` entry, lowercased; ValueError says why it is not a name, ``.suffix`` or ``*``."""
    text = entry.strip().lower()
    if text == ANY_HOST:
        return text
    name = text[1:] if text.startswith(".") else text
    if not (_NAME.match(name) or _is_ip(name.strip("[]"))):
        raise ValueError(f"expected a host name, a .suffix or *, got {entry!r}")
    return text


def check_public_url(url: str) -> str:
    """A public URL without its trailing slash; ValueError unless it is ``http(s)://host[:port]``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected http://host[:port] or https://host[:port], got {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"expected an origin with no path, query or user, got {url!r}")
    if split_authority(parts.netloc) is None:
        raise ValueError(f"the host of {url!r} is not valid")
    return f"{parts.scheme}://{parts.netloc}"
