"""The custom authentication extension contracts (issue 13): Graph's documented examples satisfy them, they agree
with the official v1.0 CSDL, and they refuse what Graph refuses.

The facts come from ``shared/reference/custom-authentication-extensions.md`` (beside the repository). Its fenced
examples and its CSDL are read at test time, so the tests follow the reference; the examples it only describes in
prose are rebuilt here from those blocks, each with the sentence it follows. The refusal tests need no reference.

Conventions the contracts follow (see each file's description): ``<name>Create`` / ``<name>Update`` are request
bodies; ``<name>Beta`` is the beta variant of a contract where beta has more (v1.0 contracts hold exactly the v1.0
CSDL); nested complex types serve requests and responses alike and take ``@odata.type`` with or without ``#``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mockgraph.core.contracts import contract_names, describe_error, shared_contracts

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "custom-authentication-extensions.md"
CONTRACTS = shared_contracts()

EXTENSION_CONTRACTS = {
    "customAuthenticationExtension",
    "customAuthenticationExtensionCreate",
    "customAuthenticationExtensionUpdate",
    "customAuthenticationExtensionCollectionResponse",
    "customAuthenticationExtensionReference",
    "customExtensionAuthenticationConfiguration",
    "azureAdTokenAuthentication",
    "azureAdPopTokenAuthentication",
    "httpRequestEndpoint",
    "customExtensionClientConfiguration",
    "customExtensionBehaviorOnError",
    "onTokenIssuanceStartReturnClaim",
    "genericError",
    "authenticationConfigurationValidation",
    "validateAuthenticationConfiguration",
    "customExtensionOverwriteConfiguration",
    "onTokenIssuanceStartCustomExtensionHandler",
    "onAttributeCollectionStartCustomExtensionHandler",
    "onAttributeCollectionSubmitCustomExtensionHandler",
    "onOtpSendCustomExtensionHandler",
    "onVerifiedIdClaimValidationCustomExtensionHandler",
    "onPasswordMigrationCustomExtensionHandler",
    "onAttributeCollectionExternalUsersSelfServiceSignUp",
    "onAttributeCollectionExternalUsersSelfServiceSignUpBeta",
    "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
    "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
    "onUserCreateStartExternalUsersSelfServiceSignUp",
    "onFraudProtectionLoadStartExternalUsersAuthHandler",
    "onPhoneMethodLoadStartExternalUsersAuthHandler",
    "authenticationAttributeCollectionPage",
    "authenticationAttributeCollectionPageBeta",
    "authenticationAttributeCollectionPageViewConfiguration",
    "authenticationAttributeCollectionInputConfiguration",
    "authenticationAttributeCollectionOptionConfiguration",
    "identityUserFlowAttribute",
    "authenticationConditions",
    "authenticationConditionsBeta",
    "authenticationConditionsApplications",
    "authenticationConditionsApplicationsBeta",
    "authenticationConditionApplication",
    "authenticationConditionApplicationCreate",
    "authenticationConditionApplicationCollectionResponse",
    *(
        f"{resource}{kind}{version}"
        for resource in ("authenticationEventListener", "authenticationEventsFlow")
        for kind in ("", "Create", "Update", "CollectionResponse")
        for version in ("", "Beta")
    ),
}


def test_the_loader_picks_up_every_extension_contract() -> None:
    assert set(contract_names()) >= EXTENSION_CONTRACTS
    for name in EXTENSION_CONTRACTS:
        assert CONTRACTS.schemas[name]["$id"] == f"https://mockgraph.dev/contracts/{name}.json"
        assert CONTRACTS.validator(name) is CONTRACTS.validator(name)


# ------------------------------------------------------------------------------------------ reading the reference


@dataclass
class Section:
    number: str  # "2.2", "4", ...
    text: str = ""
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (language, content) of each fenced block


class Reference:
    """The reference's sections by number, each with its fenced code blocks."""

    def __init__(self, text: str) -> None:
        self.sections: dict[str, Section] = {}
        current = Section("0")
        fence: list[str] | None = None
        language = ""
        for line in text.splitlines():
            if fence is not None:
                if line.startswith("```"):
                    current.blocks.append((language, "\n".join(fence)))
                    fence = None
                else:
                    fence.append(line)
                continue
            if line.startswith("```"):
                fence, language = [], line[3:].strip()
                continue
            heading = re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", line)
            if heading:
                current = self.sections.setdefault(heading.group(1), Section(heading.group(1)))
            current.text += line + "\n"

    def block(self, section: str, containing: str, language: str | None = None) -> str:
        """The one fenced block of ``section`` that contains ``containing``."""
        found = [
            text
            for lang, text in self.sections[section].blocks
            if containing in text and (language is None or lang == language)
        ]
        assert len(found) == 1, (section, containing, len(found))
        return found[0]

    def body(self, section: str, containing: str, *, trailing_commas: bool = False) -> Any:
        """The JSON of a block, after its request or status line and headers (everything before the first '{')."""
        text = self.block(section, containing)
        text = text[text.index("\n{") + 1 :] if not text.startswith("{") else text
        return loads(text, trailing_commas=trailing_commas)

    def inline(self, section: str, prefix: str, *, trailing_commas: bool = False) -> Any:
        """JSON quoted in the prose (between backticks), found by how it starts; ``"key": value`` becomes an object."""
        spans = [s for s in re.findall(r"`([^`]+)`", self.sections[section].text) if s.startswith(prefix)]
        assert len(spans) == 1, (section, prefix, spans)
        span = spans[0] if spans[0].startswith("{") else "{" + spans[0] + "}"
        return loads(span, trailing_commas=trailing_commas)


def loads(text: str, *, trailing_commas: bool = False) -> Any:
    # Only where the reference says the source has them; elsewhere a stray comma should fail the test.
    if trailing_commas:
        text = re.sub(r",(\s*[}\]])", r"\1", text)
    return json.loads(text)


@cache
def read_reference() -> Reference:
    return Reference(REFERENCE.read_text("utf-8"))


@pytest.fixture
def reference() -> Reference:
    if not REFERENCE.is_file():
        if os.environ.get("CI"):  # CI lays shared/ beside the clone: a missing reference is a failure there
            pytest.fail(f"the shared reference is not beside the repository ({REFERENCE})")
        pytest.skip(f"the shared reference is not beside the repository ({REFERENCE})")
    return read_reference()


# -------------------------------------------------------------------------------------------- documented examples
# Each builds one example from the reference: (contract, document). The examples Graph's docs give only in prose are
# rebuilt from the verbatim blocks they refer to.

V1 = "https://graph.microsoft.com/v1.0/$metadata#identity"
BETA = "https://graph.microsoft.com/beta/$metadata#identity"
Example = Callable[[Reference], tuple[str, Any]]
EXAMPLES: dict[str, Example] = {}


def example(name: str) -> Callable[[Example], Example]:
    def register(build: Example) -> Example:
        EXAMPLES[name] = build
        return build

    return register


def token_extension(ref: Reference) -> dict[str, Any]:
    body: dict[str, Any] = ref.body("2.2", "onTokenIssuanceStartCustomExtension")
    return body


def created_extension(request: dict[str, Any], extension_id: str) -> dict[str, Any]:
    return {
        "@odata.context": f"{V1}/customAuthenticationExtensions/$entity",
        "@odata.type": request["@odata.type"],
        "id": extension_id,
        **{key: value for key, value in request.items() if key != "@odata.type"},
    }


def attribute_collection_extension(ref: Reference, subtype: str, name: str) -> dict[str, Any]:
    # §2.2 examples 2 and 3: "same request shape ... no claimsForTokenConfiguration".
    body = {key: value for key, value in token_extension(ref).items() if key != "claimsForTokenConfiguration"}
    body.update(
        {
            "@odata.type": f"#microsoft.graph.{subtype}",
            "displayName": name,
            "description": "example description",
            "endpointConfiguration": {
                "@odata.type": "#microsoft.graph.httpRequestEndpoint",
                "targetUrl": "https://contoso.com",
            },
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
                "resourceId": "api://contoso.com/fb96de85-2abe-4b02-b45f-64ba122c509e",
            },
        }
    )
    return body


@example("2.1 list")
def _list_extensions(ref: Reference) -> tuple[str, Any]:
    return "customAuthenticationExtensionCollectionResponse", ref.body("2.1", '"value"')


@example("2.2 example 1 request")
def _create_token_extension(ref: Reference) -> tuple[str, Any]:
    return "customAuthenticationExtensionCreate", token_extension(ref)


@example("2.2 example 1 response")
def _created_token_extension(ref: Reference) -> tuple[str, Any]:
    # The documented body has clientConfiguration twice (null, then as sent); a JSON object keeps the last.
    request = token_extension(ref)
    response = created_extension(request, "6fc5012e-7665-43d6-9708-4370863f4e6e")
    response["behaviorOnError"] = None
    return "customAuthenticationExtension", response


@example("2.2 example 2 request")
def _create_start_extension(ref: Reference) -> tuple[str, Any]:
    body = attribute_collection_extension(
        ref, "onAttributeCollectionStartCustomExtension", "attributeCollectionStartName"
    )
    return "customAuthenticationExtensionCreate", body


@example("2.2 example 2 response")
def _created_start_extension(ref: Reference) -> tuple[str, Any]:
    request = attribute_collection_extension(
        ref, "onAttributeCollectionStartCustomExtension", "attributeCollectionStartName"
    )
    return "customAuthenticationExtension", created_extension(request, "2d9c3e8d-88a9-444e-8c4c-f0c6c4fe1c02")


@example("2.2 example 3 request")
def _create_submit_extension(ref: Reference) -> tuple[str, Any]:
    body = attribute_collection_extension(
        ref, "onAttributeCollectionSubmitCustomExtension", "attributeCollectionSubmitName"
    )
    return "customAuthenticationExtensionCreate", body


@example("2.2 example 3 response")
def _created_submit_extension(ref: Reference) -> tuple[str, Any]:
    request = attribute_collection_extension(
        ref, "onAttributeCollectionSubmitCustomExtension", "attributeCollectionSubmitName"
    )
    return "customAuthenticationExtension", created_extension(request, "66867d1f-7824-4f38-aad1-75da1ad09ee2")


@example("2.2 example 4 request")
def _create_otp_extension(ref: Reference) -> tuple[str, Any]:
    return "customAuthenticationExtensionCreate", ref.body("2.2", "onOtpSendCustomExtension")


@example("2.2 example 4 response")
def _created_otp_extension(ref: Reference) -> tuple[str, Any]:
    # "The documented response repeats the request body unchanged" (no @odata.context, no id).
    return "customAuthenticationExtension", ref.body("2.2", "onOtpSendCustomExtension")


@example("2.2 password submit request (JIT migration how-to)")
def _create_password_extension(ref: Reference) -> tuple[str, Any]:
    # Only the type and the clientConfiguration are quoted (with a trailing comma); the rest follows example 2.
    body = attribute_collection_extension(ref, "onPasswordSubmitCustomExtension", "passwordSubmit")
    body["clientConfiguration"] = {"timeoutInMilliseconds": 2000, "maximumRetries": 1}
    return "customAuthenticationExtensionCreate", body


@example("2.2 Woodgrove request (nulls)")
def _create_with_nulls(ref: Reference) -> tuple[str, Any]:
    # "sends "behaviorOnError": null and "clientConfiguration": {"timeoutInMilliseconds": null, "maximumRetries": null}";
    # the rest follows example 2, with the submit subtype of the module's exercise (validating submitted attributes).
    body = attribute_collection_extension(ref, "onAttributeCollectionSubmitCustomExtension", "woodgrove")
    body["behaviorOnError"] = None
    body["clientConfiguration"] = {"timeoutInMilliseconds": None, "maximumRetries": None}
    return "customAuthenticationExtensionCreate", body


@example("2.3 get")
def _get_extension(ref: Reference) -> tuple[str, Any]:
    request = token_extension(ref)
    response = created_extension(request, "6fc5012e-7665-43d6-9708-4370863f4e6e")
    response.update(clientConfiguration=None, behaviorOnError=None)
    return "customAuthenticationExtension", response


@example("2.4 update")
def _update_extension(ref: Reference) -> tuple[str, Any]:
    # "a body identical to create Example 1 minus clientConfiguration"
    body = {key: value for key, value in token_extension(ref).items() if key != "clientConfiguration"}
    return "customAuthenticationExtensionUpdate", body


@example("2.6 unbound request")
def _validate_request(ref: Reference) -> tuple[str, Any]:
    return "validateAuthenticationConfiguration", ref.inline("2.6", '{"endpointConfiguration"')


@example("2.6 example 1 response")
def _validation(ref: Reference) -> tuple[str, Any]:
    return "authenticationConfigurationValidation", ref.body(
        "2.6", "IncorrectResourceIdFormat", trailing_commas=True
    )


@example("2.6 example 2 response")
def _bound_validation(ref: Reference) -> tuple[str, Any]:
    body = ref.body("2.6", "IncorrectResourceIdFormat", trailing_commas=True)
    body["@odata.context"] = (
        "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.authenticationConfigurationValidation"
    )
    return "authenticationConfigurationValidation", body


def token_listener(ref: Reference) -> dict[str, Any]:
    body: dict[str, Any] = ref.body("3.1", '"#microsoft.graph.onTokenIssuanceStartListener"')
    return body


def beta_token_listener(ref: Reference) -> dict[str, Any]:
    # "adds "includeAllApplications": false inside applications and "priority": 500 in the request"
    body = copy.deepcopy(token_listener(ref))
    body["conditions"]["applications"]["includeAllApplications"] = False
    body["priority"] = 500
    return body


def beta_attribute_listener(ref: Reference, kind: str, extension_id: str) -> dict[str, Any]:
    handler = ref.inline(
        "3.1", '{"@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler"'
    )
    handler["@odata.type"] = f"#microsoft.graph.onAttributeCollection{kind}CustomExtensionHandler"
    handler["customExtension"]["id"] = extension_id
    return {
        "@odata.type": f"#microsoft.graph.onAttributeCollection{kind}Listener",
        "priority": 500,
        "conditions": {
            "applications": ref.inline(
                "3.1", '{"includeAllApplications": false, "includeApplications": [{"appId": "0001'
            )
        },
        "handler": handler,
    }


def beta_attribute_listener_response(ref: Reference, kind: str, listener_id: str) -> dict[str, Any]:
    body: dict[str, Any] = ref.body("3.1", '"#microsoft.graph.onAttributeCollectionStartListener"')
    body["@odata.type"] = f"#microsoft.graph.onAttributeCollection{kind}Listener"
    body["id"] = listener_id
    body["handler"]["@odata.type"] = f"#microsoft.graph.onAttributeCollection{kind}CustomExtensionHandler"
    return body


def email_otp_listener(ref: Reference) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.onEmailOtpSendListener",
        "conditions": {
            "applications": ref.inline(
                "3.1", '{"includeAllApplications": false, "includeApplications": [{"appId": "{App'
            )
        },
        "priority": 500,
        "handler": ref.inline("3.1", '{"@odata.type": "#microsoft.graph.onOtpSendCustomExtensionHandler"'),
    }


@example("3.1 v1.0 token listener request")
def _create_token_listener(ref: Reference) -> tuple[str, Any]:
    return "authenticationEventListenerCreate", token_listener(ref)


@example("3.1 v1.0 token listener response")
def _created_token_listener(ref: Reference) -> tuple[str, Any]:
    request = token_listener(ref)
    response = {
        "@odata.context": f"{V1}/authenticationEventListeners/$entity",
        "@odata.type": request["@odata.type"],
        "id": "990d94e5-cc8f-4c4b-97b4-27e2678aac28",
        "conditions": request["conditions"],
        "handler": request["handler"],
    }
    return "authenticationEventListener", response


@example("3.1 beta token listener request")
def _create_beta_token_listener(ref: Reference) -> tuple[str, Any]:
    return "authenticationEventListenerCreateBeta", beta_token_listener(ref)


@example("3.1 beta token listener response")
def _created_beta_token_listener(ref: Reference) -> tuple[str, Any]:
    response = {
        "@odata.context": f"{BETA}/authenticationEventListeners/$entity",
        "id": "990d94e5-cc8f-4c4b-97b4-27e2678aac28",
        **beta_token_listener(ref),
        "authenticationEventsFlowId": None,
    }
    return "authenticationEventListenerBeta", response


@example("3.1 beta attribute collection start listener request")
def _create_start_listener(ref: Reference) -> tuple[str, Any]:
    body = beta_attribute_listener(ref, "Start", "2d9c3e8d-88a9-444e-8c4c-f0c6c4fe1c02")
    return "authenticationEventListenerCreateBeta", body


@example("3.1 beta attribute collection start listener response")
def _created_start_listener(ref: Reference) -> tuple[str, Any]:
    body = beta_attribute_listener_response(ref, "Start", "1b025b34-6547-4714-b948-43f79b70c429")
    return "authenticationEventListenerBeta", body


@example("3.1 beta attribute collection submit listener request")
def _create_submit_listener(ref: Reference) -> tuple[str, Any]:
    body = beta_attribute_listener(ref, "Submit", "66867d1f-7824-4f38-aad1-75da1ad09ee2")
    return "authenticationEventListenerCreateBeta", body


@example("3.1 beta attribute collection submit listener response")
def _created_submit_listener(ref: Reference) -> tuple[str, Any]:
    body = beta_attribute_listener_response(ref, "Submit", "2066575e-fc31-4ac7-b07c-81b85f074441")
    return "authenticationEventListenerBeta", body


@example("3.1 beta email OTP listener request")
def _create_otp_listener(ref: Reference) -> tuple[str, Any]:
    return "authenticationEventListenerCreateBeta", email_otp_listener(ref)


@example("3.1 beta email OTP listener behaviorOnError patch")
def _patch_otp_listener(ref: Reference) -> tuple[str, Any]:
    return "authenticationEventListenerUpdateBeta", ref.body("3.1", "fallbackToMicrosoftProviderOnError")


@example("3.1 beta password submit listener request")
def _create_password_listener(ref: Reference) -> tuple[str, Any]:
    # "same shape" as the email OTP listener, with its own type and handler
    body = email_otp_listener(ref)
    body["@odata.type"] = "#microsoft.graph.onPasswordSubmitListener"
    body["handler"] = ref.inline("3.1", '"handler": {"@odata.type": "#microsoft.graph.onPasswordMigration')[
        "handler"
    ]
    return "authenticationEventListenerCreateBeta", body


@example("3.2 list")
def _list_listeners(ref: Reference) -> tuple[str, Any]:
    # The excerpt elides the expanded customExtension after displayName; it "continues ... as in §2.1".
    text = ref.block("3.2", "includeApplications@odata.context")
    listed = loads(re.sub(r",\s*…", "", text))
    expanded = ref.body("2.1", '"value"')["value"][0]
    extension = listed["value"][0]["handler"]["customExtension"]
    extension.update({key: value for key, value in expanded.items() if key != "@odata.type"})
    return "authenticationEventListenerCollectionResponse", listed


@example("3.2 update")
def _update_listener(ref: Reference) -> tuple[str, Any]:
    body = ref.inline(
        "3.2", '{"@odata.type": "#microsoft.graph.onTokenIssuanceStartListener"', trailing_commas=True
    )
    return "authenticationEventListenerUpdate", body


def flow_request(ref: Reference) -> dict[str, Any]:
    body: dict[str, Any] = ref.body("4", "Woodgrove Drive User Flow")
    return body


@example("4 create request")
def _create_flow(ref: Reference) -> tuple[str, Any]:
    return "authenticationEventsFlowCreate", flow_request(ref)


@example("4 create response")
def _created_flow(ref: Reference) -> tuple[str, Any]:
    # Rebuilt from "Response head (verbatim)" and the list of changes that follows it. The answer shows priority,
    # customStringsFileId and accessPackages, which only beta defines ("evidently produced on beta"), so it is judged
    # by the beta contract. Where title/description/customStringsFileId sit is not said; they go where the beta SDK
    # has them (the view and the page).
    request = flow_request(ref)
    collection = copy.deepcopy(request["onAttributeCollection"])
    view = collection["attributeCollectionPage"]["views"][0]
    view.update(title=None, description=None)
    for item in view["inputs"]:
        item.update(defaultValue=None, options=[], inputType=item["inputType"].lower())
    collection["attributeCollectionPage"]["customStringsFileId"] = None
    collection["accessPackages"] = []
    response = {
        "@odata.context": f"{V1}/authenticationEventsFlows/$entity",
        "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
        "id": "1d51b447-eb52-4ec8-ae4e-0a35ebc148ea",
        "displayName": "Woodgrove Drive User Flow",
        "description": None,
        "priority": 500,
        "onAttributeCollectionStart": None,
        "onAttributeCollectionSubmit": None,
        "onUserCreateStart": None,
        "conditions": {"applications": {"includeAllApplications": False}},
        "onInteractiveAuthFlowStart": request["onInteractiveAuthFlowStart"],
        "onAuthenticationMethodLoadStart": {
            "@odata.type": request["onAuthenticationMethodLoadStart"]["@odata.type"]
        },
        "onAttributeCollection": collection,
    }
    return "authenticationEventsFlowBeta", response


@example("4 update display name")
def _rename_flow(ref: Reference) -> tuple[str, Any]:
    body = ref.inline(
        "4",
        '{"@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"',
        trailing_commas=True,
    )
    return "authenticationEventsFlowUpdate", body


@example("4 update attributes")
def _update_flow_attributes(ref: Reference) -> tuple[str, Any]:
    # "add/remove an attribute by re-sending the full onAttributeCollection.attributeCollectionPage"
    collection = flow_request(ref)["onAttributeCollection"]
    body = {
        "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
        "onAttributeCollection": {
            "@odata.type": collection["@odata.type"],
            "attributeCollectionPage": collection["attributeCollectionPage"],
        },
    }
    return "authenticationEventsFlowUpdate", body


@example("4 link an application request")
def _link_application(ref: Reference) -> tuple[str, Any]:
    return "authenticationConditionApplicationCreate", ref.body(
        "4", '"@odata.type": "#microsoft.graph.authenticationConditionApplication"'
    )


@example("4 link an application response")
def _linked_application(ref: Reference) -> tuple[str, Any]:
    return "authenticationConditionApplication", ref.body("4", "includeApplications/$entity")


@example("4 attach an extension to a flow")
def _attach_extension(ref: Reference) -> tuple[str, Any]:
    return "customAuthenticationExtensionReference", ref.body("4", '"@odata.id"')


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_documented_example_satisfies_its_contract(reference: Reference, name: str) -> None:
    contract, document = EXAMPLES[name](reference)
    error = CONTRACTS.first_error(contract, document)
    assert error is None, (contract, list(error.absolute_path), error.message)
    assert CONTRACTS.is_valid(contract, document)


ANSWERS = re.compile(
    r"(customAuthenticationExtension|authenticationEventListener|authenticationEventsFlow)(CollectionResponse)?(Beta)?"
)


def test_every_documented_answer_carries_its_type(reference: Reference) -> None:
    # Graph returns @odata.type on every extension, listener and flow; the entity contracts cannot require it
    # ($select, expansion), the collection contracts do.
    for build in EXAMPLES.values():
        contract, document = build(reference)
        if ANSWERS.fullmatch(contract):
            items = document.get("value", [document])
            assert all("@odata.type" in item for item in items), contract


def test_the_capitalised_otp_type_of_the_how_to_is_left_to_the_route(reference: Reference) -> None:
    # The email-OTP how-to sends "#microsoft.graph.OnOtpSendCustomExtension". Graph's SDK matches type names
    # case-insensitively; an enum cannot, so the contracts hold the canonical spelling and the route is to map a
    # name to it before validating (reference §2.2, §12 Q8).
    assert "#microsoft.graph.OnOtpSendCustomExtension" in reference.sections["2.2"].text
    body = reference.body("2.2", "onOtpSendCustomExtension")
    body["@odata.type"] = "#microsoft.graph.OnOtpSendCustomExtension"
    assert not CONTRACTS.is_valid("customAuthenticationExtensionCreate", body)


# ----------------------------------------------------------------------------------------------- the official CSDL


@dataclass
class CsdlProperty:
    type: str
    nullable: bool = True
    navigation: bool = False


@dataclass
class CsdlType:
    base: str | None
    properties: dict[str, CsdlProperty]


def parse_csdl(xml: str) -> dict[str, CsdlType]:
    """The types of §5.1. One-property types are folded into a comment there: ``<!-- name: Type, name: Type -->``."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(f"<csdl>{xml}</csdl>", parser=parser)
    types: dict[str, CsdlType] = {}
    for element in root:
        if element.tag not in ("EntityType", "ComplexType"):
            continue
        properties: dict[str, CsdlProperty] = {}
        for child in element:
            if not isinstance(child.tag, str):  # a comment: its tag is the ET.Comment factory
                for folded in (child.text or "").split(","):
                    name, _, kind = folded.partition(":")
                    properties[name.strip()] = CsdlProperty(kind.strip())
            elif child.tag in ("Property", "NavigationProperty"):
                properties[child.attrib["Name"]] = CsdlProperty(
                    child.attrib["Type"],
                    nullable=child.attrib.get("Nullable") != "false",
                    navigation=child.tag == "NavigationProperty",
                )
        base = element.attrib.get("BaseType", "").removeprefix("graph.") or None
        types[element.attrib["Name"]] = CsdlType(base, properties)
    return types


# The prose under the CSDL block, which the block leaves out: "The other custom-extension handlers (...) have exactly
# configuration + customExtension (typed to the matching extension subtype); every handler base type is an abstract
# complex type with no properties" and "Listener subtypes each add one property handler". Beta adds one listener.
PROSE_HANDLERS = {
    "onAttributeCollectionStartCustomExtensionHandler": "onAttributeCollectionStartCustomExtension",
    "onAttributeCollectionSubmitCustomExtensionHandler": "onAttributeCollectionSubmitCustomExtension",
    "onOtpSendCustomExtensionHandler": "onOtpSendCustomExtension",
    "onVerifiedIdClaimValidationCustomExtensionHandler": "onVerifiedIdClaimValidationCustomExtension",
}
LISTENERS = [
    "onTokenIssuanceStartListener",
    "onAttributeCollectionListener",
    "onAttributeCollectionStartListener",
    "onAttributeCollectionSubmitListener",
    "onAuthenticationMethodLoadStartListener",
    "onEmailOtpSendListener",
    "onFraudProtectionLoadStartListener",
    "onInteractiveAuthFlowStartListener",
    "onPasswordSubmitListener",
    "onUserCreateStartListener",
    "onVerifiedIdClaimValidationListener",
]
BETA_LISTENERS = [*LISTENERS, "onPhoneMethodLoadStartListener"]
# §5.3, "beta adds": checked against its table below.
BETA_ADDITIONS = {
    "authenticationEventListener": {"priority"},
    "authenticationEventsFlow": {"priority"},
    "authenticationConditionsApplications": {"includeAllApplications"},
}
ENTITY_ID = CsdlProperty("Edm.String", nullable=False)


@cache
def csdl() -> dict[str, CsdlType]:
    types = parse_csdl(read_reference().block("5.1", "<EntityType", language="xml"))
    for handler, extension in PROSE_HANDLERS.items():
        types[handler] = CsdlType(
            None,
            {
                "configuration": CsdlProperty("graph.customExtensionOverwriteConfiguration"),
                "customExtension": CsdlProperty(f"graph.{extension}", navigation=True),
            },
        )
    for listener in BETA_LISTENERS:
        types[listener] = CsdlType("authenticationEventListener", {"handler": CsdlProperty("graph.handler")})
    return types


def csdl_properties(name: str) -> dict[str, CsdlProperty]:
    """A type's properties with the inherited ones; graph.entity gives id, unknown (handler) bases give nothing."""
    found = csdl().get(name)
    if found is None:
        return {"id": ENTITY_ID} if name == "entity" else {}
    inherited = csdl_properties(found.base) if found.base else {}
    return {**inherited, **found.properties}


def contract_properties(contract: str, csdl_type: str) -> dict[str, Any]:
    """The properties a contract allows for one type: its @odata.type branch's list when it has one (a ``true`` or
    untyped entry there takes the top-level schema), else its top-level list; annotations (``@odata.*``) left out."""
    schema = CONTRACTS.schemas[contract]
    top: dict[str, Any] = schema.get("properties", {})
    found = top
    for part in schema.get("allOf", []):
        then = part.get("then", {})
        if str(then.get("title", "")).split(" ")[0] == csdl_type:
            found = {
                key: value if isinstance(value, dict) and {"type", "$ref", "anyOf"} & set(value) else top[key]
                for key, value in then["properties"].items()
            }
    return {key: value for key, value in found.items() if "@" not in key}


JSON_OF_PYTHON = {type(None): "null", str: "string", bool: "boolean", int: "integer"}


def json_types(node: Any) -> set[str]:
    """The JSON types a contract node admits."""
    if node is True or not isinstance(node, dict):
        return {"any"}
    if "$ref" in node:
        return json_types(CONTRACTS.schemas[node["$ref"].removesuffix(".json")])
    if "type" in node:
        return set(node["type"]) if isinstance(node["type"], list) else {node["type"]}
    if "anyOf" in node:
        return set().union(*(json_types(part) for part in node["anyOf"]))
    if "enum" in node:
        return {JSON_OF_PYTHON[type(value)] for value in node["enum"]}
    return {"any"}


def expected_json_type(edm: str) -> str:
    if edm.startswith("Collection("):
        return "array"
    return {"Edm.String": "string", "Edm.Int32": "integer", "Edm.Boolean": "boolean"}.get(edm, "object")


# "The v1.0 resource page calls authenticationEventsFlowId Read-only": the v1.0 request bodies leave it out.
V1_READ_ONLY = {"authenticationEventsFlowId"}
# Nullable in the CSDL, refused as null by the contracts: without them the object cannot work.
STRICTER = {
    ("httpRequestEndpoint", "targetUrl"),
    ("azureAdTokenAuthentication", "resourceId"),
    ("onTokenIssuanceStartReturnClaim", "claimIdInApiResponse"),
    ("genericError", "code"),
    ("genericError", "message"),
}


def agreement_cases() -> list[tuple[str, str, set[str], set[str]]]:
    """(contract, CSDL type, properties added, properties removed) for each contract of a CSDL type."""
    extensions = [
        "onTokenIssuanceStartCustomExtension",
        "onAttributeCollectionStartCustomExtension",
        "onAttributeCollectionSubmitCustomExtension",
        "onOtpSendCustomExtension",
        "onPasswordSubmitCustomExtension",
        "onVerifiedIdClaimValidationCustomExtension",
    ]
    same = [
        "azureAdTokenAuthentication",
        "azureAdPopTokenAuthentication",
        "httpRequestEndpoint",
        "customExtensionClientConfiguration",
        "onTokenIssuanceStartReturnClaim",
        "genericError",
        "authenticationConfigurationValidation",
        "customExtensionOverwriteConfiguration",
        "authenticationConditions",
        "authenticationConditionsApplications",
        "authenticationConditionApplication",
        "onTokenIssuanceStartCustomExtensionHandler",
        "onPasswordMigrationCustomExtensionHandler",
        *PROSE_HANDLERS,
    ]
    none: set[str] = set()
    cases = [(name, name, none, none) for name in same]
    cases += [
        ("customExtensionBehaviorOnError", "customExtensionBehaviorOnError", none, none),
        ("customExtensionBehaviorOnError", "fallbackToMicrosoftProviderOnError", none, none),
        ("authenticationConditionApplicationCreate", "authenticationConditionApplication", none, none),
        ("authenticationConditionsBeta", "authenticationConditions", none, none),
        (
            "authenticationConditionsApplicationsBeta",
            "authenticationConditionsApplications",
            {"includeAllApplications"},
            none,
        ),
    ]
    for kind in ("", "Create", "Update"):
        cases += [(f"customAuthenticationExtension{kind}", subtype, none, none) for subtype in extensions]
        removed = V1_READ_ONLY if kind else none
        cases += [(f"authenticationEventListener{kind}", listener, none, removed) for listener in LISTENERS]
        cases += [
            (f"authenticationEventListener{kind}Beta", listener, {"priority"}, none)
            for listener in BETA_LISTENERS
        ]
        flow = "externalUsersSelfServiceSignUpEventsFlow"
        cases += [(f"authenticationEventsFlow{kind}", flow, none, none)]
        cases += [(f"authenticationEventsFlow{kind}Beta", flow, {"priority"}, none)]
    return cases


@pytest.mark.parametrize(("contract", "csdl_type", "added", "removed"), agreement_cases())
def test_contract_properties_are_the_csdl_ones_with_the_csdl_types(
    reference: Reference, contract: str, csdl_type: str, added: set[str], removed: set[str]
) -> None:
    theirs = csdl_properties(csdl_type)
    ours = contract_properties(contract, csdl_type)
    # An answer may hold null wherever the CSDL allows it; request bodies accept null only where it means something.
    answer = not re.search(r"(Create|Update)(Beta)?$", contract)
    assert set(ours) == (set(theirs) | added) - removed
    for name, prop in theirs.items():
        if name in removed:
            continue
        types = json_types(ours[name])
        # Navigation properties are in the contracts too: the documented bodies send and return them.
        assert types - {"null"} == {expected_json_type(prop.type)}, (name, prop.type, types)
        if not prop.nullable:
            assert "null" not in types, name
        elif answer and not prop.navigation and not prop.type.startswith("Collection("):
            assert "null" in types or (contract, name) in STRICTER, name


def test_the_csdl_block_and_its_prose_hold_what_the_test_expects(reference: Reference) -> None:
    types = csdl()
    assert csdl_properties("onTokenIssuanceStartReturnClaim") == {
        "claimIdInApiResponse": CsdlProperty("Edm.String")
    }
    assert set(csdl_properties("genericError")) == {"code", "message"}
    assert set(csdl_properties("onTokenIssuanceStartCustomExtension")) == {
        "id",
        "authenticationConfiguration",
        "clientConfiguration",
        "description",
        "displayName",
        "endpointConfiguration",
        "behaviorOnError",
        "claimsForTokenConfiguration",
    }
    assert types["authenticationConditionsApplications"].properties["includeApplications"].navigation
    prose = reference.sections["5.1"].text
    for name in [*PROSE_HANDLERS, *LISTENERS]:
        assert f"`{name}`" in prose, name


def test_the_beta_additions_are_the_ones_of_the_reference_table(reference: Reference) -> None:
    table = reference.sections["5.3"].text
    for type_name, added in BETA_ADDITIONS.items():
        for name in added:
            assert re.search(rf"^\| {type_name} \| `{name}`", table, re.MULTILINE), (type_name, name)
    assert re.search(
        r"^\| authenticationAttributeCollectionPage \| `customStringsFileId`", table, re.MULTILINE
    )
    assert (
        "customStringsFileId" in CONTRACTS.schemas["authenticationAttributeCollectionPageBeta"]["properties"]
    )
    assert (
        "customStringsFileId" not in CONTRACTS.schemas["authenticationAttributeCollectionPage"]["properties"]
    )


def test_the_unbound_action_body_has_the_csdl_parameters(reference: Reference) -> None:
    # "collection-bound action (bindingParameter: ..., endpointConfiguration: ..., authenticationConfiguration: ...)"
    assert "endpointConfiguration: customExtensionEndpointConfiguration" in reference.sections["2.6"].text
    assert set(CONTRACTS.schemas["validateAuthenticationConfiguration"]["properties"]) == {
        "endpointConfiguration",
        "authenticationConfiguration",
    }


def test_the_discriminators_are_the_reference_ones(reference: Reference) -> None:
    table = reference.sections["5.2"].text
    create = CONTRACTS.schemas["customAuthenticationExtensionCreate"]["properties"]["@odata.type"]["enum"]
    names = {value.removeprefix("#microsoft.graph.") for value in create if value.startswith("#")}
    assert len(names) == 6
    # The table writes the first value in full and the others as "…onXCustomExtension".
    listed = set(re.findall(r"…(on\w+CustomExtension)`", table)) | {"onTokenIssuanceStartCustomExtension"}
    assert names == listed
    listeners = CONTRACTS.schemas["authenticationEventListenerCreateBeta"]["properties"]["@odata.type"][
        "enum"
    ]
    assert {value.removeprefix("#microsoft.graph.") for value in listeners if value.startswith("#")} == set(
        re.findall(r"…(on\w+Listener)`", table)
    )


# ------------------------------------------------------------------------------------------------------ refusals

RESOURCE_ID = "api://api.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4"
EXTENSION: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension",
    "displayName": "start",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://api.contoso.com",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": RESOURCE_ID,
    },
    "clientConfiguration": {"timeoutInMilliseconds": 1000, "maximumRetries": 1},
}
TOKEN_EXTENSION = {
    **EXTENSION,
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "claimsForTokenConfiguration": [{"claimIdInApiResponse": "DateOfBirth"}],
}
LISTENER: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
    "conditions": {
        "applications": {"includeApplications": [{"appId": "a13d0fc1-04ab-4ede-b215-63de0174cbb4"}]}
    },
    "handler": {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
        "customExtension": {"id": "6fc5012e-7665-43d6-9708-4370863f4e6e"},
    },
}
BETA_LISTENER = {**LISTENER, "priority": 500}
FLOW: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
    "displayName": "Sign up",
    "onAuthenticationMethodLoadStart": {
        "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
        "identityProviders": [{"id": "EmailPassword-OAUTH"}],
    },
    "onInteractiveAuthFlowStart": {
        "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
        "isSignUpAllowed": True,
    },
}
VALID = [
    ("customAuthenticationExtensionCreate", EXTENSION),
    ("customAuthenticationExtensionCreate", TOKEN_EXTENSION),
    (
        "customAuthenticationExtensionCreate",
        {**EXTENSION, "@odata.type": "microsoft.graph.onOtpSendCustomExtension"},
    ),
    (
        "customAuthenticationExtensionUpdate",
        {"@odata.type": EXTENSION["@odata.type"], "displayName": "renamed"},
    ),
    ("authenticationEventListenerCreate", LISTENER),
    ("authenticationEventListenerCreateBeta", BETA_LISTENER),
    ("authenticationEventsFlowCreate", FLOW),
    ("authenticationEventsFlowCreateBeta", {**FLOW, "priority": 400}),
]


def changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``document`` with the member at ``path`` (``a/b/0/c``) set to ``value``; ``...`` removes it."""
    result = copy.deepcopy(document)
    *parents, last = path.split("/")
    target: Any = result
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return result


ABSTRACT = "#microsoft.graph.customAuthenticationExtension"
# Per contract: case -> (body, where Graph's refusal points: "<member path> <JSON-Schema keyword>").
REFUSALS: dict[str, dict[str, tuple[Any, str]]] = {
    "customAuthenticationExtensionCreate": {
        "no @odata.type": (changed(EXTENSION, "@odata.type", ...), "required"),
        "no authenticationConfiguration": (
            changed(EXTENSION, "authenticationConfiguration", ...),
            "required",
        ),
        "abstract type": (changed(EXTENSION, "@odata.type", ABSTRACT), "@odata.type enum"),
        "abstract type without #": (changed(EXTENSION, "@odata.type", ABSTRACT[1:]), "@odata.type enum"),
        "type outside the CSDL (account recovery how-to)": (
            changed(EXTENSION, "@odata.type", "#microsoft.graph.onAccountRecoveryCustomExtension"),
            "@odata.type enum",
        ),
        "another resource's type": (
            changed(EXTENSION, "@odata.type", "#microsoft.graph.identityApiConnector"),
            "@odata.type enum",
        ),
        "type not a string": (changed(EXTENSION, "@odata.type", 5), "@odata.type enum"),
        "claims on a non-token subtype": (
            {**EXTENSION, "claimsForTokenConfiguration": []},
            "additionalProperties",
        ),
        "unknown property": ({**EXTENSION, "callbackUrl": "https://x"}, "additionalProperties"),
        "displayName a number": (changed(EXTENSION, "displayName", 5), "displayName type"),
        "description a list": (changed(EXTENSION, "description", ["x"]), "description type"),
        "timeout below 200": (
            changed(EXTENSION, "clientConfiguration/timeoutInMilliseconds", 199),
            "clientConfiguration/timeoutInMilliseconds minimum",
        ),
        "timeout above 2000": (
            changed(EXTENSION, "clientConfiguration/timeoutInMilliseconds", 2001),
            "clientConfiguration/timeoutInMilliseconds maximum",
        ),
        "timeout a string": (
            changed(EXTENSION, "clientConfiguration/timeoutInMilliseconds", "1000"),
            "clientConfiguration/timeoutInMilliseconds type",
        ),
        "timeout a fraction": (
            changed(EXTENSION, "clientConfiguration/timeoutInMilliseconds", 1000.5),
            "clientConfiguration/timeoutInMilliseconds type",
        ),
        "two retries": (
            changed(EXTENSION, "clientConfiguration/maximumRetries", 2),
            "clientConfiguration/maximumRetries maximum",
        ),
        "negative retries": (
            changed(EXTENSION, "clientConfiguration/maximumRetries", -1),
            "clientConfiguration/maximumRetries minimum",
        ),
        "unknown client setting": (
            changed(EXTENSION, "clientConfiguration/retries", 1),
            "clientConfiguration additionalProperties",
        ),
        "abstract endpoint": (
            changed(
                EXTENSION,
                "endpointConfiguration/@odata.type",
                "#microsoft.graph.customExtensionEndpointConfiguration",
            ),
            "endpointConfiguration/@odata.type enum",
        ),
        "Logic Apps endpoint": (
            changed(
                EXTENSION,
                "endpointConfiguration/@odata.type",
                "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            ),
            "endpointConfiguration/@odata.type enum",
        ),
        "endpoint without targetUrl": (
            changed(EXTENSION, "endpointConfiguration/targetUrl", ...),
            "endpointConfiguration required",
        ),
        "endpoint without type": (
            changed(EXTENSION, "endpointConfiguration/@odata.type", ...),
            "endpointConfiguration required",
        ),
        "targetUrl a number": (
            changed(EXTENSION, "endpointConfiguration/targetUrl", 5),
            "endpointConfiguration/targetUrl type",
        ),
        "abstract authentication": (
            changed(
                EXTENSION,
                "authenticationConfiguration/@odata.type",
                "#microsoft.graph.customExtensionAuthenticationConfiguration",
            ),
            "authenticationConfiguration/@odata.type enum",
        ),
        "API connector authentication": (
            changed(
                EXTENSION,
                "authenticationConfiguration",
                {"@odata.type": "#microsoft.graph.basicAuthentication", "username": "u", "password": "p"},
            ),
            "authenticationConfiguration/@odata.type enum",
        ),
        "token authentication without resourceId": (
            changed(EXTENSION, "authenticationConfiguration/resourceId", ...),
            "authenticationConfiguration required",
        ),
        "authentication null": (
            changed(EXTENSION, "authenticationConfiguration", None),
            "authenticationConfiguration type",
        ),
        "behaviorOnError of an unknown type": (
            {**EXTENSION, "behaviorOnError": {"@odata.type": "#microsoft.graph.retryOnError"}},
            "behaviorOnError/@odata.type enum",
        ),
        "behaviorOnError without type": ({**EXTENSION, "behaviorOnError": {}}, "behaviorOnError required"),
        "claims not a list": (
            changed(TOKEN_EXTENSION, "claimsForTokenConfiguration", "DateOfBirth"),
            "claimsForTokenConfiguration type",
        ),
        "claim without its id": (
            changed(TOKEN_EXTENSION, "claimsForTokenConfiguration", [{"claimId": "x"}]),
            "claimsForTokenConfiguration/0 required",
        ),
        "not an object": ([EXTENSION], "type"),
    },
    "customAuthenticationExtensionUpdate": {
        "no @odata.type": ({"displayName": "renamed"}, "required"),
        "abstract type": ({"@odata.type": ABSTRACT, "displayName": "renamed"}, "@odata.type enum"),
        "claims on a non-token subtype": (
            {"@odata.type": EXTENSION["@odata.type"], "claimsForTokenConfiguration": []},
            "additionalProperties",
        ),
        "timeout above 2000": (
            {"@odata.type": EXTENSION["@odata.type"], "clientConfiguration": {"timeoutInMilliseconds": 5000}},
            "clientConfiguration/timeoutInMilliseconds maximum",
        ),
    },
    "validateAuthenticationConfiguration": {
        "no endpoint": (
            {"authenticationConfiguration": EXTENSION["authenticationConfiguration"]},
            "required",
        ),
        "no authentication": ({"endpointConfiguration": EXTENSION["endpointConfiguration"]}, "required"),
        "a whole extension": (EXTENSION, "additionalProperties"),
    },
    "authenticationEventListenerCreate": {
        "no @odata.type": (changed(LISTENER, "@odata.type", ...), "required"),
        "no handler": (changed(LISTENER, "handler", ...), "required"),
        "abstract type": (
            changed(LISTENER, "@odata.type", "#microsoft.graph.authenticationEventListener"),
            "@odata.type enum",
        ),
        "unknown type": (
            changed(LISTENER, "@odata.type", "#microsoft.graph.onPageRenderStartListener"),
            "@odata.type enum",
        ),
        "beta-only type": (
            changed(LISTENER, "@odata.type", "#microsoft.graph.onPhoneMethodLoadStartListener"),
            "@odata.type enum",
        ),
        "handler of another listener": (
            changed(
                LISTENER,
                "handler/@odata.type",
                "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler",
            ),
            "handler/@odata.type enum",
        ),
        "handler without type": (changed(LISTENER, "handler/@odata.type", ...), "handler required"),
        "beta priority": (BETA_LISTENER, "additionalProperties"),
        "read-only flow id": ({**LISTENER, "authenticationEventsFlowId": "x"}, "additionalProperties"),
        "beta includeAllApplications": (
            changed(LISTENER, "conditions/applications/includeAllApplications", False),
            "conditions/applications additionalProperties",
        ),
        "application without appId": (
            changed(LISTENER, "conditions/applications/includeApplications", [{}]),
            "conditions/applications/includeApplications/0 required",
        ),
        "appId null": (
            changed(LISTENER, "conditions/applications/includeApplications", [{"appId": None}]),
            "conditions/applications/includeApplications/0/appId type",
        ),
        "extension reference with extras": (
            changed(LISTENER, "handler/customExtension/name", "x"),
            "handler/customExtension anyOf",
        ),
        "handler timeout above 2000": (
            changed(
                LISTENER, "handler/configuration", {"clientConfiguration": {"timeoutInMilliseconds": 10000}}
            ),
            "handler/configuration/clientConfiguration/timeoutInMilliseconds maximum",
        ),
        "unknown property": ({**LISTENER, "enabled": True}, "additionalProperties"),
        "password handler without migrationPropertyId": (
            {
                **LISTENER,
                "@odata.type": "#microsoft.graph.onPasswordSubmitListener",
                "handler": {"@odata.type": "#microsoft.graph.onPasswordMigrationCustomExtensionHandler"},
            },
            "handler required",
        ),
    },
    "authenticationEventListenerCreateBeta": {
        "no priority": (LISTENER, "required"),
        "priority above 1000": ({**LISTENER, "priority": 1001}, "priority maximum"),
        "priority a string": ({**LISTENER, "priority": "500"}, "priority type"),
        "token listener for all applications": (
            changed(BETA_LISTENER, "conditions/applications/includeAllApplications", True),
            "conditions/applications/includeAllApplications const",
        ),
    },
    "authenticationEventListenerUpdate": {
        "no @odata.type": ({"conditions": LISTENER["conditions"]}, "required"),
    },
    "authenticationEventListenerUpdateBeta": {
        "no @odata.type": ({"priority": 1}, "required"),
    },
    "authenticationEventsFlowCreate": {
        "no @odata.type": (changed(FLOW, "@odata.type", ...), "required"),
        "abstract type": (
            changed(FLOW, "@odata.type", "#microsoft.graph.authenticationEventsFlow"),
            "@odata.type enum",
        ),
        "no displayName": (changed(FLOW, "displayName", ...), "required"),
        "displayName null": (changed(FLOW, "displayName", None), "displayName type"),
        "no onInteractiveAuthFlowStart": (changed(FLOW, "onInteractiveAuthFlowStart", ...), "required"),
        "no onAuthenticationMethodLoadStart": (
            changed(FLOW, "onAuthenticationMethodLoadStart", ...),
            "required",
        ),
        "no identity provider": (
            changed(FLOW, "onAuthenticationMethodLoadStart/identityProviders", []),
            "onAuthenticationMethodLoadStart/identityProviders minItems",
        ),
        "isSignUpAllowed a string": (
            changed(FLOW, "onInteractiveAuthFlowStart/isSignUpAllowed", "yes"),
            "onInteractiveAuthFlowStart/isSignUpAllowed type",
        ),
        "isSignUpAllowed null": (
            changed(FLOW, "onInteractiveAuthFlowStart/isSignUpAllowed", None),
            "onInteractiveAuthFlowStart/isSignUpAllowed type",
        ),
        "unknown user type": (
            {
                **FLOW,
                "onUserCreateStart": {
                    "@odata.type": "#microsoft.graph.onUserCreateStartExternalUsersSelfServiceSignUp",
                    "userTypeToCreate": "admin",
                },
            },
            "onUserCreateStart/userTypeToCreate enum",
        ),
        "token handler at attribute collection start": (
            {**FLOW, "onAttributeCollectionStart": LISTENER["handler"]},
            "onAttributeCollectionStart/@odata.type enum",
        ),
        "input without label": (
            {
                **FLOW,
                "onAttributeCollection": {
                    "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
                    "attributeCollectionPage": {
                        "views": [{"inputs": [{"attribute": "email", "inputType": "text"}]}]
                    },
                },
            },
            "onAttributeCollection/attributeCollectionPage/views/0/inputs/0 required",
        ),
        "beta priority": ({**FLOW, "priority": 500}, "additionalProperties"),
        "unknown property": ({**FLOW, "isEnabled": True}, "additionalProperties"),
    },
    "authenticationEventsFlowUpdate": {
        "no @odata.type": ({"displayName": "renamed"}, "required"),
    },
    "authenticationConditionApplicationCreate": {
        "no appId": ({"@odata.type": "#microsoft.graph.authenticationConditionApplication"}, "required"),
        "appId a number": ({"appId": 5}, "appId type"),
        "unknown property": ({"appId": "x", "displayName": "x"}, "additionalProperties"),
    },
    "customAuthenticationExtensionReference": {
        "an id instead of a URL": ({"id": "6fc5012e-7665-43d6-9708-4370863f4e6e"}, "required"),
    },
}
REFUSED = [
    (contract, case, body, where)
    for contract, cases in REFUSALS.items()
    for case, (body, where) in cases.items()
]


@pytest.mark.parametrize(("contract", "document"), VALID)
def test_the_bodies_the_refusals_start_from_are_valid(contract: str, document: Any) -> None:
    assert CONTRACTS.first_error(contract, document) is None


@pytest.mark.parametrize(
    ("contract", "case", "document", "where"), REFUSED, ids=[f"{c}: {why}" for c, why, _, _ in REFUSED]
)
def test_invalid_bodies_are_refused(contract: str, case: str, document: Any, where: str) -> None:
    # ``where``: the member at fault and the keyword that refuses it, so a body is refused for the reason meant.
    error = CONTRACTS.first_error(contract, document)
    assert error is not None, case
    assert f"{'/'.join(map(str, error.absolute_path))} {error.validator}".strip() == where, error.message
    assert not CONTRACTS.is_valid(contract, document), case


def test_a_property_of_another_subtype_is_refused_in_graphs_words() -> None:
    error = CONTRACTS.first_error(
        "customAuthenticationExtensionCreate", {**EXTENSION, "claimsForTokenConfiguration": []}
    )
    assert error is not None
    message = describe_error(error, root_type="microsoft.graph.customAuthenticationExtension")
    assert message.startswith(
        "The property 'claimsForTokenConfiguration' does not exist on type "
        "'microsoft.graph.onAttributeCollectionStartCustomExtension'."
    )


@pytest.mark.parametrize("timeout", [200, 2000, None])
def test_the_timeout_limits_are_inclusive(timeout: int | None) -> None:
    body = changed(EXTENSION, "clientConfiguration/timeoutInMilliseconds", timeout)
    assert CONTRACTS.is_valid("customAuthenticationExtensionCreate", body)
