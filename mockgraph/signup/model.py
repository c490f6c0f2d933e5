"""The simulator's vocabulary: steps, products, the signing-up user, and what the user flow collects."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mockgraph.core.config import DEFAULT_CLIENT_ID

# The app id of the docs' custom-attribute example (extension_831374b3bd5041bfaa54263ec9e050fc_loyaltyNumber).
DEFAULT_EXTENSIONS_APP_ID = "831374b3-bd50-41bf-aa54-263ec9e050fc"
# Built-in user attributes a flow can collect, in the order the docs' example bodies list them.
BUILT_IN_ATTRIBUTES = (
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "streetAddress",
    "city",
    "postalCode",
    "state",
    "country",
)
DEFAULT_TIMEOUT_SECONDS = 20.0


class Product(StrEnum):
    """Which identity service runs the flow: Entra External ID self-service sign-up (b2x) or Azure AD B2C."""

    ENTRA = "entra"
    B2C = "b2c"


class Step(StrEnum):
    """A point in the flow where a connector runs; the value is what the request body's ``step`` says."""

    POST_FEDERATION_SIGNUP = "PostFederationSignup"
    POST_ATTRIBUTE_COLLECTION = "PostAttributeCollection"
    PRE_TOKEN_ISSUANCE = "PreTokenIssuance"

    @property
    def graph_name(self) -> str:
        """The step's name in Graph's ``apiConnectorConfiguration`` (``postFederationSignup``...)."""
        return self.value[0].lower() + self.value[1:]

    @classmethod
    def parse(cls, name: str | Step) -> Step:
        """A step from its body name or Graph name, case-insensitively."""
        for step in cls:
            if str(name).lower() == step.value.lower():
                return step
        raise ValueError(f"unknown step {name!r}; expected one of {', '.join(s.value for s in cls)}")


@dataclass(frozen=True)
class Identity:
    """One entry of ``identities`` (Graph's objectIdentity)."""

    issuer: str
    issuer_assigned_id: str
    sign_in_type: str = "federated"

    def to_json(self) -> dict[str, str]:
        return {
            "signInType": self.sign_in_type,
            "issuer": self.issuer,
            "issuerAssignedId": self.issuer_assigned_id,
        }


@dataclass(frozen=True)
class SignUpUser:
    """A person signing up.

    ``provided`` holds built-in claims the identity provider supplies (sent from the first step on); ``entered``
    what they type on the attribute collection page (built-in names, or custom attributes by their short name such
    as ``loyaltyNumber``). ``identities`` is sent for Google, Facebook and email one-time-passcode users; a
    ``local_account`` never reaches the post-federation step.
    """

    email: str | None = None
    identities: tuple[Identity, ...] = ()
    provided: Mapping[str, Any] = field(default_factory=dict)
    entered: Mapping[str, Any] = field(default_factory=dict)
    ui_locales: str | None = "en-US"
    client_id: str = DEFAULT_CLIENT_ID
    object_id: str | None = None
    local_account: bool = False

    def object_id_or_default(self) -> str:
        # Stable per e-mail, so repeated simulations send the same objectId.
        return self.object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"mockgraph-user:{self.email}"))

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> SignUpUser:
        """A user from the JSON the admin API and the CLI take (the same names, camelCase)."""
        identities = tuple(
            Identity(str(i["issuer"]), str(i["issuerAssignedId"]), str(i.get("signInType", "federated")))
            for i in document.get("identities", [])
        )
        return cls(
            email=document.get("email"),
            identities=identities,
            provided=dict(document.get("provided", {})),
            entered=dict(document.get("entered", {})),
            ui_locales=document.get("uiLocales", "en-US"),
            client_id=str(document.get("clientId", DEFAULT_CLIENT_ID)),
            object_id=document.get("objectId"),
            local_account=bool(document.get("localAccount", False)),
        )


@dataclass(frozen=True)
class FlowSettings:
    """How the simulated flow is set up, and the choices where the docs are silent (see docs/fidelity.md).

    ``collected``: the flow's user attributes, on the attribute collection page (None: every built-in attribute and
    every custom attribute the user enters); only these of the user's claims are sent, accepted back and stored.
    ``application_claims``: claims the token carries (None: the collected ones).
    """

    product: Product = Product.ENTRA
    extensions_app_id: str = DEFAULT_EXTENSIONS_APP_ID
    collected: tuple[str, ...] | None = None
    application_claims: tuple[str, ...] | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    retries: int = 1
    # Entra's docs comment ``step`` and ``client_id`` out of the request description; B2C sends them.
    entra_sends_step_and_client_id: bool = False
    # B2C's docs disagree on the token step's body (reference section 1.5); the defaults follow B2.
    token_step_name: str = "PreTokenIssuance"
    token_client_id_key: str = "client_id"
    # None accepts any non-empty string as ``version``; a set makes other versions a failure.
    accepted_versions: frozenset[str] | None = None

    def extension_prefix(self) -> str:
        return f"extension_{self.extensions_app_id.replace('-', '')}_"

    def claim_name(self, name: str) -> str:
        """The name a claim travels under: built-ins as they are, custom attributes as ``extension_<appId>_<name>``."""
        if name in BUILT_IN_ATTRIBUTES or name in ("email", "identities", "objectId"):
            return name
        if name.startswith(self.extension_prefix()):
            return name
        if name.startswith("extension_"):
            return self.extension_prefix() + name[len("extension_") :]
        return self.extension_prefix() + name

    def collected_claims(self, user: SignUpUser) -> tuple[str, ...]:
        names = self.collected
        if names is None:
            custom = [n for n in user.entered if self.claim_name(n) not in BUILT_IN_ATTRIBUTES]
            names = (*BUILT_IN_ATTRIBUTES, *custom)
        return tuple(dict.fromkeys(self.claim_name(n) for n in names))

    def token_claims(self, user: SignUpUser) -> tuple[str, ...]:
        if self.application_claims is None:
            return self.collected_claims(user)
        return tuple(dict.fromkeys(self.claim_name(n) for n in self.application_claims))
