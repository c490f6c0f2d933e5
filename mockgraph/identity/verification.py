"""Reading and verifying bearer tokens as Graph does, with a per-token cache of the verified claims."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from mockgraph.core.errors import InvalidAuthenticationToken
from mockgraph.core.text import clip
from mockgraph.identity.keys import SigningKey, development_kid
from mockgraph.identity.tokens import GRAPH_AUDIENCES, issuer_for

EMPTY = "Access token is empty."
NO_DOTS = (
    "IDX14100: JWT is not well formed, there are no dots (.).\n"
    "The token needs to be in JWS or JWE Compact Serialization Format. "
    "(JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. "
    "(JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector."
    "EncodedCiphertext.EncodedAuthenticationTag'."
)
COMPACT_PARSE = "CompactToken parsing failed with error code: 80049217"
VALIDATION_FAILURE = "Access token validation failure."
EXPIRED = "Lifetime validation failed, the token is expired."
NOT_YET_VALID = "Access token has expired or is not yet valid."

CACHE_SIZE = 1024
# An ordinary token costs about 3.5 KiB cached (token and claims, measured with tracemalloc): room for
# CACHE_SIZE of them twice over, and never more than 8 MiB per app whatever callers send.
CACHE_BYTES = 8 * 1024 * 1024
# Entra's access tokens are one to a few KiB (group claims are replaced by an overage claim past 200
# groups precisely to keep them small); 16 KiB is also the per-header limit of the Windows HTTP stack
# (HTTP.sys ``MaxFieldLength``) that Microsoft's front ends run on. Longer headers are refused unread.
MAX_AUTHORIZATION_LENGTH = 16 * 1024
# IdentityModel converts NumericDates into .NET's DateTime, which holds 0001-01-01 to 9999-12-31T23:59:59Z.
EARLIEST_TIME = -62_135_596_800
LATEST_TIME = 253_402_300_799

_BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_BASE64URL_VALUES = {ch: value for value, ch in enumerate(_BASE64URL)}
_NON_BASE64URL = re.compile(r"[^A-Za-z0-9_-]")
_PARTS = ("header", "payload", "signature")


def bearer_token(authorization: str | None) -> str:
    """The token from an ``Authorization: Bearer ...`` header value.

    :raises InvalidAuthenticationToken: "Access token is empty." if there is no Bearer token, "Access token
        validation failure." if the header is longer than :data:`MAX_AUTHORIZATION_LENGTH` (never read).
    """
    if authorization is not None and len(authorization) > MAX_AUTHORIZATION_LENGTH:
        raise InvalidAuthenticationToken(
            VALIDATION_FAILURE,
            reason=f"Authorization header is {len(authorization)} characters, "
            f"over the limit of {MAX_AUTHORIZATION_LENGTH}",
        )
    if not authorization or not authorization.strip():
        raise InvalidAuthenticationToken(EMPTY, reason="no Authorization header")
    scheme, space, token = authorization.strip().partition(" ")
    if not space:
        # One word: a token sent without "Bearer " (the reason must not quote it).
        raise InvalidAuthenticationToken(EMPTY, reason="Authorization has no scheme: not 'Bearer <token>'")
    if scheme.lower() != "bearer":
        named = scheme if scheme.isalpha() and len(scheme) <= 20 else "(not a scheme name)"
        raise InvalidAuthenticationToken(EMPTY, reason=f"Authorization scheme {named!r} is not Bearer")
    if not token.strip():
        raise InvalidAuthenticationToken(EMPTY, reason="Bearer token is empty")
    return token.strip()


def read_unverified(token: str) -> dict[str, Any]:
    """The claims of a well-formed JWT, signature and lifetime unchecked (permissive mode).

    :raises InvalidAuthenticationToken: with Graph's parse-failure wording if it is not a JWT.
    """
    _check_shape(token)
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"token is not decodable: {exc}") from None
    if not isinstance(claims.get("tid"), str) or not claims["tid"]:
        raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason="token has no tid claim")
    return claims


def _check_shape(token: str) -> None:
    """Three parts, each canonical base64url (RFC 7515 §2): PyJWT alone would accept ``=`` padding."""
    dots = token.count(".")
    if dots == 0:
        raise InvalidAuthenticationToken(NO_DOTS, reason="token has no dots: not a JWT")
    if dots != 2:
        # Graph reads anything that is not a three-part JWS as an opaque (compact) token.
        raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"token has {dots + 1} parts, not a JWS")
    for name, segment in zip(_PARTS, token.split("."), strict=True):
        problem = _base64url_problem(segment)
        if problem is not None:
            raise InvalidAuthenticationToken(
                COMPACT_PARSE, reason=f"JWT {name} is not canonical base64url: {problem}"
            )


def _base64url_problem(segment: str) -> str | None:
    """What makes ``segment`` other than the one unpadded base64url spelling of its bytes, if anything."""
    stray = _NON_BASE64URL.search(segment)
    if stray is not None:
        return (
            "'=' padding" if stray.group() == "=" else f"character '{clip(stray.group())}' is not base64url"
        )
    spare_bits = {0: 0, 2: 4, 3: 2}.get(len(segment) % 4)
    if spare_bits is None:
        return f"{len(segment)} characters is not a whole number of bytes"
    if spare_bits and _BASE64URL_VALUES[segment[-1]] & ((1 << spare_bits) - 1):
        return "the last character carries non-zero padding bits"
    return None


@dataclass(frozen=True)
class Refusal:
    """Why a token was refused: Graph's message and the emulator's reason; small and immutable.

    The cache keeps these, never the exception that was raised: an exception holds its traceback, and
    the traceback every frame's locals (the token, its decoded parts).
    """

    message: str
    reason: str

    def error(self) -> InvalidAuthenticationToken:
        return InvalidAuthenticationToken(self.message, reason=self.reason)


@dataclass(frozen=True)
class _Verdict:
    """What the time-independent checks said: claims, plus the refusal to raise once lifetime passes."""

    claims: dict[str, Any] | None
    refusal: Refusal | None
    lifetime_checked: bool
    size: int


# What a cache entry costs besides the token and its claims: the verdict, its refusal, the ordered-dict node.
_ENTRY_OVERHEAD = 256
# Decoded claims take about twice their base64url text in memory (a dict, a str object per value; measured).
_CLAIMS_PER_CHARACTER = 2


class _VerdictCache:
    """A least-recently-used map of token to verdict, bounded in entries and in (estimated) bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._verdicts: OrderedDict[str, _Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._verdicts)

    def get(self, token: str) -> _Verdict | None:
        with self._lock:
            verdict = self._verdicts.get(token)
            if verdict is not None:
                self._verdicts.move_to_end(token)
            return verdict

    def put(self, token: str, verdict: _Verdict) -> None:
        if verdict.size > self.max_bytes:
            return
        with self._lock:
            previous = self._verdicts.pop(token, None)
            if previous is not None:
                self.bytes -= previous.size
            self._verdicts[token] = verdict
            self.bytes += verdict.size
            while len(self._verdicts) > self.max_entries or self.bytes > self.max_bytes:
                _, evicted = self._verdicts.popitem(last=False)
                self.bytes -= evicted.size


class TokenVerifier:
    """Verifies tokens signed by ``keys`` in IdentityModel's order: shape, signature, lifetime, audience, issuer.

    Each distinct token string is verified once (an LRU cache bounded by :data:`CACHE_SIZE` entries and
    :data:`CACHE_BYTES` bytes); lifetime is re-checked on every call.
    """

    def __init__(
        self,
        keys: tuple[SigningKey, ...],
        *,
        clock: Callable[[], float],
        clock_skew: int = 300,
    ) -> None:
        self._keys = {key.kid: key for key in keys}
        self._clock = clock
        self._clock_skew = clock_skew
        self._cache = _VerdictCache(CACHE_SIZE, CACHE_BYTES)

    @property
    def cache_entries(self) -> int:
        """How many distinct tokens the cache holds a verdict for."""
        return len(self._cache)

    @property
    def cache_bytes(self) -> int:
        """The cache's estimated size in bytes (tokens, claims and bookkeeping); never above :attr:`cache_limit`."""
        return self._cache.bytes

    @property
    def cache_limit(self) -> int:
        """The most bytes the cache may hold."""
        return self._cache.max_bytes

    def verify(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``.

        :raises InvalidAuthenticationToken: with Graph's message and a reason naming the failed check.
        """
        verdict = self._cached(token)
        if verdict.claims is not None and verdict.lifetime_checked:
            self._check_lifetime(verdict.claims)
        if verdict.refusal is not None:
            # A fresh exception per request: the app may attach request data to the error it handles.
            raise verdict.refusal.error()
        assert verdict.claims is not None
        return verdict.claims

    def _cached(self, token: str) -> _Verdict:
        verdict = self._cache.get(token)
        if verdict is None:
            verdict = self._verify_uncached(token)
            self._cache.put(token, verdict)
        return verdict

    def _verify_uncached(self, token: str) -> _Verdict:
        size = _ENTRY_OVERHEAD + len(token)
        try:
            claims = self._verify_signature(token)
        except InvalidAuthenticationToken as exc:
            return _Verdict(None, _refusal(exc), lifetime_checked=False, size=size)
        size += _CLAIMS_PER_CHARACTER * len(token.split(".")[1])
        try:
            self._check_claims(claims)
        except InvalidAuthenticationToken as exc:
            return _Verdict(claims, _refusal(exc), lifetime_checked=True, size=size)
        return _Verdict(claims, None, lifetime_checked=True, size=size)

    def _verify_signature(self, token: str) -> dict[str, Any]:
        _check_shape(token)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"unreadable JWT header: {exc}") from None
        alg = header.get("alg")
        if alg != "RS256":
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason=f"alg {clip(repr(alg))} is not RS256")
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason=_unknown_kid(header.get("kid")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=["RS256"],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason="signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"undecodable token: {exc}") from None
        for claim in ("exp", "nbf"):
            _check_numeric_date(claims, claim)
        return claims

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        if claims["nbf"] > now + self._clock_skew:
            raise InvalidAuthenticationToken(NOT_YET_VALID, reason=f"nbf {claims['nbf']} is in the future")
        if claims["exp"] < now - self._clock_skew:
            raise InvalidAuthenticationToken(EXPIRED, reason=f"exp {claims['exp']} has passed")

    @staticmethod
    def _check_claims(claims: dict[str, Any]) -> None:
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if not any(a in GRAPH_AUDIENCES for a in audiences):
            raise InvalidAuthenticationToken(
                VALIDATION_FAILURE, reason=f"aud {clip(repr(aud))} is not Microsoft Graph"
            )
        tid = claims.get("tid")
        if not isinstance(tid, str) or not tid:
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason="token has no tid claim")
        if claims.get("iss") != issuer_for(tid):
            raise InvalidAuthenticationToken(
                VALIDATION_FAILURE,
                reason=f"iss {clip(repr(claims.get('iss')))} is not {clip(repr(issuer_for(tid)))}",
            )


# A kid is a 43-character thumbprint; a longer one is cut so the advice after it still fits the reason.
_KID_SHOWN = 64


def _unknown_kid(kid: object) -> str:
    """Why a token's ``kid`` is not trusted, and how to get one that is (the commonest newcomer's 401)."""
    shown = clip(repr(kid), _KID_SHOWN)
    if kid is not None and kid == development_kid():
        return (
            f"kid {shown} is this process's development key, but this app signs with its own key file "
            "(a state or key file): mint with the app's key (mockgraph_tokens, or POST /_mockgraph/token)"
        )
    return (
        f"kid {shown} is not in the emulator's JWKS: the token was signed by another key (e.g. 'mockgraph token' "
        "without --url); get one this server signs: mockgraph token --url <this server's URL>"
    )


def _check_numeric_date(claims: dict[str, Any], claim: str) -> None:
    """``claim`` must be a JSON number (not a boolean) that names an instant: NaN would never expire."""
    value = claims.get(claim)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason=f"token has no numeric {claim}")
    # Written so that NaN fails too (every comparison with NaN is false); infinities and 1e300 are out of range.
    if not EARLIEST_TIME <= value <= LATEST_TIME:
        raise InvalidAuthenticationToken(
            VALIDATION_FAILURE,
            reason=f"{claim} {clip(repr(value), 40)} is not a time between the years 1 and 9999",
        )


def _refusal(exc: InvalidAuthenticationToken) -> Refusal:
    return Refusal(exc.message, clip(exc.reason or "token refused"))
