"""The request body Entra posts for each event (reference §8.1, §8.3, §9): the envelope and the event's members.

``Session`` is one person's sign-up or sign-in as the events see it: the app, the user (once they exist),
the attributes, the identities, the one-time code, the password. ``request_body`` picks what each event
sends, in the order the documented examples list it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockgraph.callouts.events import Event
from mockgraph.callouts.jwe import encrypted_password_context
from mockgraph.callouts.target import ExtensionTarget
from mockgraph.signup.model import Identity

STRING_VALUE = "microsoft.graph.stringDirectoryAttributeValue"
INT64_VALUE = "microsoft.graph.int64DirectoryAttributeValue"
BOOLEAN_VALUE = "microsoft.graph.booleanDirectoryAttributeValue"


@dataclass(frozen=True)
class ServicePrincipal:
    """``clientServicePrincipal`` / ``resourceServicePrincipal``: ``{id, appId, appDisplayName, displayName}``."""

    app_id: str
    display_name: str = "My Test application"
    object_id: str | None = None

    def to_json(self) -> dict[str, str]:
        object_id = self.object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"mockgraph-sp:{self.app_id}"))
        return {
            "id": object_id,
            "appId": self.app_id,
            "appDisplayName": self.display_name,
            "displayName": self.display_name,
        }


# The application signing the user in, unless a session names another (the emulator's default client).
DEFAULT_APP = ServicePrincipal("a7c0ffee-0000-4000-8000-0000000000a1", "mockgraph test application")


@dataclass(frozen=True)
class Session:
    """What the events know about one sign-up or sign-in.

    ``user``: the directory user (Graph property names; absent properties are left out, as CIAM captures
    show), sent by token issuance and password submit. ``attributes``: the user-flow attributes by their
    wire names (``givenName``, ``extension_<appid>_<name>``); a list is sent comma-delimited. ``identifier``
    and ``one_time_code`` make the OTP's ``otpContext``; ``password`` is what the user typed (encrypted to
    the extension's key for password submit). ``resource`` defaults to ``client``.
    """

    client: ServicePrincipal = DEFAULT_APP
    resource: ServicePrincipal | None = None
    user: Mapping[str, Any] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)
    identities: tuple[Identity, ...] = ()
    identifier: str | None = None
    one_time_code: str | None = None
    password: str | None = None
    ip: str = "203.0.113.10"
    locale: str = "en-us"
    market: str = "en-us"
    protocol: str = "OAUTH2.0"
    request_type: str = "signUp"
    correlation_id: str | None = None

    @property
    def resource_app(self) -> ServicePrincipal:
        return self.resource or self.client

    def email(self) -> str | None:
        """The user's email: the OTP identifier, else the user's ``mail``, else an email identity."""
        if self.identifier:
            return self.identifier
        if isinstance(self.user.get("mail"), str):
            return str(self.user["mail"])
        return next((i.issuer_assigned_id for i in self.identities if "@" in i.issuer_assigned_id), None)


def attribute_value(name: str, value: Any) -> dict[str, Any]:
    """One ``userSignUpInfo.attributes`` entry: the value typed as Entra types it (lists comma-delimited)."""
    if isinstance(value, bool):
        odata_type = BOOLEAN_VALUE
    elif isinstance(value, int):
        odata_type = INT64_VALUE
    else:
        odata_type = STRING_VALUE
        value = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    kind = "directorySchemaExtension" if name.startswith("extension_") else "builtIn"
    return {"@odata.type": odata_type, "value": value, "attributeType": kind}


def authentication_context(event: Event, session: Session, correlation_id: str) -> dict[str, Any]:
    """``authenticationContext`` (§8.3): ``requestType`` only for the OTP, ``user`` where the user exists."""
    context: dict[str, Any] = {
        "correlationId": correlation_id,
        "client": {"ip": session.ip, "locale": session.locale, "market": session.market},
        "protocol": session.protocol,
    }
    if event is Event.EMAIL_OTP_SEND:
        context["requestType"] = session.request_type
    context["clientServicePrincipal"] = session.client.to_json()
    context["resourceServicePrincipal"] = session.resource_app.to_json()
    if event.spec.sends_user:
        context["user"] = {k: v for k, v in session.user.items() if v is not None}
    return context


@dataclass(frozen=True)
class BodyOptions:
    """Choices where the docs disagree: whether submit sends ``identities`` (docs yes, capture no)."""

    submit_sends_identities: bool = True


def request_body(
    target: ExtensionTarget,
    session: Session,
    *,
    correlation_id: str,
    nonce: str | None = None,
    options: BodyOptions | None = None,
) -> dict[str, Any]:
    """The JSON body for ``target.event``.

    :raises ValueError: a password submit without a password or an encryption key, an OTP without a code.
    """
    event, spec = target.event, target.event.spec
    app = session.resource_app if spec.source_is_resource else session.client
    data: dict[str, Any] = {"@odata.type": spec.callout_data_type}
    if event is Event.EMAIL_OTP_SEND:  # the example lists otpContext first
        identifier = session.email()
        if identifier is None or session.one_time_code is None:
            raise ValueError("an email OTP callout needs the session's identifier and one_time_code")
        data["otpContext"] = {"identifier": identifier, "oneTimeCode": session.one_time_code}
    data.update(
        tenantId=target.tenant_id,
        authenticationEventListenerId=target.listener_id,
        customAuthenticationExtensionId=target.extension_id,
    )
    if event is Event.PASSWORD_SUBMIT:
        data["encryptedPasswordContext"] = _password_context(target, session, nonce)
    data["authenticationContext"] = authentication_context(event, session, correlation_id)
    if event in (Event.ATTRIBUTE_COLLECTION_START, Event.ATTRIBUTE_COLLECTION_SUBMIT):
        info: dict[str, Any] = {
            "attributes": {name: attribute_value(name, value) for name, value in session.attributes.items()}
        }
        sends = (
            event is Event.ATTRIBUTE_COLLECTION_START or (options or BodyOptions()).submit_sends_identities
        )
        if sends:
            info["identities"] = [identity.to_json() for identity in session.identities]
        data["userSignUpInfo"] = info
    return {
        "type": spec.request_type,
        "source": f"/tenants/{target.tenant_id}/applications/{app.app_id}",
        "data": data,
    }


def _password_context(target: ExtensionTarget, session: Session, nonce: str | None) -> str:
    encryption = target.password_encryption
    if session.password is None or encryption is None or nonce is None:
        raise ValueError("a password submit callout needs the session's password and the target's key")
    return encrypted_password_context(
        session.password,
        nonce,
        encryption.public_key,
        algorithm=encryption.algorithm,
        encryption=encryption.encryption,
        key_id=encryption.key_id,
    )
