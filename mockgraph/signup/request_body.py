"""The JSON body Entra or B2C posts to a connector at each step (reference section 1): collected claims with a value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mockgraph.signup.model import BUILT_IN_ATTRIBUTES, FlowSettings, Product, SignUpUser, Step

# Key order of the docs' examples: email, identities, displayName, objectId, the other built-ins, custom attributes,
# step, client_id, ui_locales (JSON key order carries no meaning; this only makes bodies easy to compare by eye).
_LEADING = ("email", "identities", "displayName", "objectId")


def has_value(value: Any) -> bool:
    """ "If a claim doesn't have a value ... it isn't sent": None, "" and empty lists count as no value."""
    return value is not None and value != "" and value != [] and value != ()


def directory_claims(
    user: SignUpUser, settings: FlowSettings, overrides: Mapping[str, Any] = {}
) -> dict[str, Any]:
    """The user's claims the flow collects, under their wire names: provided, then entered, then ``overrides``."""
    claims: dict[str, Any] = {}
    for source in (user.provided, user.entered, overrides):
        for name, value in source.items():
            claims[settings.claim_name(name)] = value
    return collected_only(claims, user, settings)


def collected_only(claims: Mapping[str, Any], user: SignUpUser, settings: FlowSettings) -> dict[str, Any]:
    """The user attributes among ``claims`` (wire names) that the flow collects; the rest never travel.

    "The exact claims sent to the API depend on which information is collected from the user or is provided by the
    identity provider" (E1, reference section 1.3), and the approvals walkthrough, whose page collects displayName,
    city and one custom attribute, sends exactly those (E4, section 1.4). A claim the identity provider supplies is
    sent only if the flow has it as a user attribute (H1: a returned claim "must be selected in the User attributes
    for the user flow"). Outside the user attributes, and so sent whatever the page collects: ``email`` and
    ``identities`` and ``ui_locales`` ("typically sent in all requests", E1, section 1.2), B2C's ``step`` and
    ``client_id`` (B1, section 1.5), and ``objectId`` at the token step (B2, section 1.5).
    """
    names = set(settings.collected_claims(user))
    return {name: value for name, value in claims.items() if name in names}


def build_request_body(
    step: Step,
    user: SignUpUser,
    settings: FlowSettings,
    claims: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The body for ``step``. ``claims`` are the user's attributes at that point under wire names (default: what
    the identity provider provided at PostFederationSignup, and everything provided or entered afterwards)."""
    if claims is None:
        # Before the attribute collection page only the identity provider's claims exist.
        before_page = step is Step.POST_FEDERATION_SIGNUP
        claims = directory_claims(replace(user, entered={}) if before_page else user, settings)
    values: dict[str, Any] = {
        "email": user.email,
        "identities": [identity.to_json() for identity in user.identities],
    }
    if step is Step.PRE_TOKEN_ISSUANCE:
        values["objectId"] = user.object_id_or_default()  # objectId only once the user exists (section 1.5)
    attributes = collected_only(claims, user, settings)
    values.update(
        {name: value for name, value in attributes.items() if name not in ("email", "identities", "objectId")}
    )
    ordered = [*_LEADING, *BUILT_IN_ATTRIBUTES]
    body = {name: values[name] for name in ordered if name in values and has_value(values[name])}
    body.update(
        {
            name: value
            for name, value in values.items()
            if name not in body and name not in ordered and has_value(value)
        }
    )
    sends_step = settings.product is Product.B2C or settings.entra_sends_step_and_client_id
    if sends_step:
        if step is Step.PRE_TOKEN_ISSUANCE:
            body[settings.token_client_id_key] = user.client_id
            body["step"] = settings.token_step_name
        else:
            body["step"] = step.value
            body["client_id"] = user.client_id
    if has_value(user.ui_locales):
        body["ui_locales"] = user.ui_locales
    return body
