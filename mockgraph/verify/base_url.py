"""The verifier's base URL: Graph's root without a version segment, since the API version is added to every path.

A base URL given with its version (``https://graph.microsoft.com/beta``, the way Graph's docs write request URLs)
used to be tested as ``/beta/beta/...``. A trailing version segment is now taken off, with a notice, when it agrees
with ``--api-version`` (or none was given, and then it names the version); one that disagrees, or a version segment
before the end of the path, is refused: guessing which of two versions was meant would verify the wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

VERSIONS = ("beta", "v1.0")
DEFAULT_VERSION = "beta"


class BaseUrlError(ValueError):
    """Raise if a base URL cannot be verified as given; the message says what to pass instead."""


@dataclass(frozen=True)
class Root:
    """Where to verify: the base URL without a version, the version, and a notice if the URL was changed."""

    base_url: str
    version: str
    notice: str | None = None


def verification_root(base_url: str, api_version: str | None) -> Root:
    """Split ``base_url`` into Graph's root and the API version (``api_version``, or the URL's, or beta).

    :raises BaseUrlError: not an http(s) URL with a host, a query or fragment, a version segment inside the path,
        or a trailing version that contradicts ``api_version``.
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BaseUrlError(f"--base-url must be an http or https URL with a host, e.g. {_EXAMPLE}")
    if parts.query or parts.fragment:
        raise BaseUrlError(f"--base-url must not have a query string or fragment, e.g. {_EXAMPLE}")
    segments = [segment for segment in parts.path.split("/") if segment]
    versions = [index for index, segment in enumerate(segments) if segment.lower() in VERSIONS]
    kept = segments[: versions[0]] if versions else segments
    root = urlunsplit((parts.scheme, parts.netloc, "".join(f"/{segment}" for segment in kept), "", ""))
    if not versions:
        return Root(root, api_version or DEFAULT_VERSION)
    found = segments[versions[0]]
    if versions != [len(segments) - 1]:
        raise BaseUrlError(
            f"--base-url has the version segment '/{found}' inside its path; give Graph's root, {root}, "
            "and the version with --api-version"
        )
    version = found.lower()
    if api_version is not None and api_version != version:
        raise BaseUrlError(
            f"--base-url ends in the version '/{found}' but --api-version is {api_version}; give the root, "
            f"{root}, with the version to verify"
        )
    notice = f"--base-url ends in the version '/{found}': verifying {root} with --api-version {version}"
    return Root(root, version, notice)


_EXAMPLE = "https://graph.microsoft.com or http://127.0.0.1:5000"
