"""Reading and verifying bearer tokens as Graph does, with a per-token cache of the verified claims."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from mockgraph.core.errors import InvalidAuthenticationToken
from mockgraph.identity.keys import SigningKey
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


def bearer_token(authorization: str | None) -> str:
    """The token from an ``Authorization: Bearer ...`` header value.

    :raises InvalidAuthenticationToken: "Access token is empty." if there is no Bearer token.
    """
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
        raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"token is not decodable: {exc}") from exc
    if not isinstance(claims.get("tid"), str) or not claims["tid"]:
        raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason="token has no tid claim")
    return claims


def _check_shape(token: str) -> None:
    dots = token.count(".")
    if dots == 0:
        raise InvalidAuthenticationToken(NO_DOTS, reason="token has no dots: not a JWT")
    if dots != 2:
        # Graph reads anything that is not a three-part JWS as an opaque (compact) token.
        raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"token has {dots + 1} parts, not a JWS")


@dataclass(frozen=True)
class _Verdict:
    """What the time-independent checks said: claims, plus the error to raise once lifetime passes."""

    claims: dict[str, Any] | None
    error: InvalidAuthenticationToken | None
    lifetime_checked: bool


class TokenVerifier:
    """Verifies tokens signed by ``keys`` in IdentityModel's order: shape, signature, lifetime, audience, issuer.

    Each distinct token string is verified once (bounded LRU); lifetime is re-checked on every call.
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
        self._cache: OrderedDict[str, _Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``.

        :raises InvalidAuthenticationToken: with Graph's message and a reason naming the failed check.
        """
        verdict = self._cached(token)
        if verdict.claims is not None and verdict.lifetime_checked:
            self._check_lifetime(verdict.claims)
        if verdict.error is not None:
            # A fresh copy per request: the app may attach request data to the error it handles.
            raise InvalidAuthenticationToken(verdict.error.message, reason=verdict.error.reason)
        assert verdict.claims is not None
        return verdict.claims

    def _cached(self, token: str) -> _Verdict:
        with self._lock:
            verdict = self._cache.get(token)
            if verdict is not None:
                self._cache.move_to_end(token)
                return verdict
        verdict = self._verify_uncached(token)
        with self._lock:
            self._cache[token] = verdict
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return verdict

    def _verify_uncached(self, token: str) -> _Verdict:
        try:
            claims = self._verify_signature(token)
        except InvalidAuthenticationToken as exc:
            return _Verdict(None, exc, lifetime_checked=False)
        try:
            self._check_claims(claims)
        except InvalidAuthenticationToken as exc:
            return _Verdict(claims, exc, lifetime_checked=True)
        return _Verdict(claims, None, lifetime_checked=True)

    def _verify_signature(self, token: str) -> dict[str, Any]:
        _check_shape(token)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"unreadable JWT header: {exc}") from exc
        alg = header.get("alg")
        if alg != "RS256":
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason=f"alg {alg!r} is not RS256")
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise InvalidAuthenticationToken(
                VALIDATION_FAILURE,
                reason=f"kid {header.get('kid')!r} is not in the emulator's JWKS",
            )
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
        except jwt.InvalidSignatureError as exc:
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason="signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise InvalidAuthenticationToken(COMPACT_PARSE, reason=f"undecodable token: {exc}") from exc
        for claim in ("exp", "nbf"):
            if not isinstance(claims.get(claim), int | float):
                raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason=f"token has no numeric {claim}")
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
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason=f"aud {aud!r} is not Microsoft Graph")
        tid = claims.get("tid")
        if not isinstance(tid, str) or not tid:
            raise InvalidAuthenticationToken(VALIDATION_FAILURE, reason="token has no tid claim")
        if claims.get("iss") != issuer_for(tid):
            raise InvalidAuthenticationToken(
                VALIDATION_FAILURE,
                reason=f"iss {claims.get('iss')!r} is not {issuer_for(tid)!r}",
            )
