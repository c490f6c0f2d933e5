"""Every documented listener request and answer of the reference's section 3, replayed over HTTP.

The examples are read from the reference at test time (the builders of ``test_contracts_extensions`` rebuild the
ones it gives in prose). Where the documented answers disagree with each other (reference section 12, question
5), the emulator answers one way everywhere and each test names the difference it allows:

- a custom-extension handler always shows ``configuration`` (null until set), as the list and the beta answers do;
- ``includeApplications`` and the ``customExtension`` reference are always shown, as the v1.0 answers show them
  (the beta attribute-collection answers leave both out);
- the extension is expanded only when ``$expand`` asks for it (the documented list shows it expanded).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.events_support import (
    GUID,
    LISTENERS,
    add_extension,
    conforms,
    documented_reference,
    request_path,
    with_id,
)
from tests.test_contracts_extensions import EXAMPLES, Reference


@pytest.fixture
def ref() -> Reference:
    return documented_reference()


TOKEN_EXTENSION = "6fc5012e-7665-43d6-9708-4370863f4e6e"
TOKEN_LISTENER = "990d94e5-cc8f-4c4b-97b4-27e2678aac28"


def build(name: str, ref: Reference) -> Any:
    return EXAMPLES[name](ref)[1]


def created_from(client: FlaskClient, version: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/{version}/{LISTENERS}", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created: dict[str, Any] = response.get_json()
    assert GUID.match(created["id"])
    assert response.headers["Location"] == f"http://localhost/{version}/{LISTENERS}/{created['id']}"
    conforms(
        "authenticationEventListenerBeta" if version == "beta" else "authenticationEventListener", created
    )
    return created


def test_v1_token_issuance_listener_create(app: Flask, client: FlaskClient, ref: Reference) -> None:
    add_extension(app, "onTokenIssuanceStartCustomExtension", TOKEN_EXTENSION)
    created = created_from(client, "v1.0", build("3.1 v1.0 token listener request", ref))
    expected = with_id(build("3.1 v1.0 token listener response", ref), TOKEN_LISTENER, created["id"])
    expected["handler"]["configuration"] = None  # the one difference (module docstring)
    assert created == expected


def test_beta_token_issuance_listener_create(app: Flask, client: FlaskClient, ref: Reference) -> None:
    add_extension(app, "onTokenIssuanceStartCustomExtension", TOKEN_EXTENSION)
    created = created_from(client, "beta", build("3.1 beta token listener request", ref))
    expected = with_id(build("3.1 beta token listener response", ref), TOKEN_LISTENER, created["id"])
    expected["handler"]["configuration"] = None
    assert created == expected


def attribute_listener(
    app: Flask, client: FlaskClient, ref: Reference, kind: str, extension: str, documented_id: str
) -> None:
    add_extension(app, f"onAttributeCollection{kind}CustomExtension", extension)
    request = build(f"3.1 beta attribute collection {kind.lower()} listener request", ref)
    created = created_from(client, "beta", request)
    expected = with_id(
        build(f"3.1 beta attribute collection {kind.lower()} listener response", ref),
        documented_id,
        created["id"],
    )
    # The documented answer leaves out the two navigation properties the request set; the emulator shows them.
    expected["conditions"]["applications"]["includeApplications"] = [
        {"appId": "0001111-aaaa-2222-bbbb-3333cccc4444"}
    ]
    expected["handler"]["customExtension"] = {"id": extension}
    assert created == expected


def test_beta_attribute_collection_start_listener_create(
    app: Flask, client: FlaskClient, ref: Reference
) -> None:
    attribute_listener(
        app,
        client,
        ref,
        "Start",
        "2d9c3e8d-88a9-444e-8c4c-f0c6c4fe1c02",
        "1b025b34-6547-4714-b948-43f79b70c429",
    )


def test_beta_attribute_collection_submit_listener_create(
    app: Flask, client: FlaskClient, ref: Reference
) -> None:
    attribute_listener(
        app,
        client,
        ref,
        "Submit",
        "66867d1f-7824-4f38-aad1-75da1ad09ee2",
        "2066575e-fc31-4ac7-b07c-81b85f074441",
    )


def test_beta_email_otp_listener_create_then_its_behavior_on_error_patch(
    app: Flask, client: FlaskClient, ref: Reference
) -> None:
    # The how-to's placeholders are sent as they are: they are strings, and Graph's appId is not checked as a GUID.
    add_extension(app, "onOtpSendCustomExtension", "{customExtensionObjectId}")
    request = build("3.1 beta email OTP listener request", ref)
    created = created_from(client, "beta", request)
    assert created["handler"] == {
        "@odata.type": "#microsoft.graph.onOtpSendCustomExtensionHandler",
        "configuration": None,
        "customExtension": {"id": "{customExtensionObjectId}"},
    }
    block = ref.block("3.1", "fallbackToMicrosoftProviderOnError")
    method, path = request_path(block)
    patch = build("3.1 beta email OTP listener behaviorOnError patch", ref)
    response = client.open(path.replace("{customListenerOjectId}", created["id"]), method=method, json=patch)
    assert response.status_code == 204
    assert response.get_data() == b""
    handler = client.get(f"/beta/{LISTENERS}/{created['id']}").get_json()["handler"]
    # The patch names only the configuration: the extension stays attached.
    assert handler == {
        "@odata.type": "#microsoft.graph.onOtpSendCustomExtensionHandler",
        "configuration": {
            "behaviorOnError": {"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"}
        },
        "customExtension": {"id": "{customExtensionObjectId}"},
    }


def test_beta_password_submit_listener_create(app: Flask, client: FlaskClient, ref: Reference) -> None:
    add_extension(app, "onPasswordSubmitCustomExtension", "{customExtensionObjectId}")
    request = build("3.1 beta password submit listener request", ref)
    created = created_from(client, "beta", request)
    assert created["@odata.type"] == "#microsoft.graph.onPasswordSubmitListener"
    assert created["handler"] == {**request["handler"], "configuration": None}
    assert created["priority"] == 500


def test_v1_list_with_the_extension_expanded(app: Flask, client: FlaskClient, ref: Reference) -> None:
    # The documented list shows the extension of section 2.1 expanded; here it is asked for with $expand.
    listed_extension = ref.body("2.1", '"value"')["value"][0]
    extra = {key: value for key, value in listed_extension.items() if key not in ("@odata.type", "id")}
    add_extension(app, "onTokenIssuanceStartCustomExtension", listed_extension["id"], **extra)
    created = created_from(client, "v1.0", build("3.1 v1.0 token listener request", ref))
    response = client.get(f"/v1.0/{LISTENERS}", query_string={"$expand": "handler/customExtension"})
    assert response.status_code == 200
    listed = response.get_json()
    conforms("authenticationEventListenerCollectionResponse", listed)
    assert listed == with_id(build("3.2 list", ref), TOKEN_LISTENER, created["id"])


def test_v1_list_without_expand_shows_the_reference(app: Flask, client: FlaskClient, ref: Reference) -> None:
    add_extension(app, "onTokenIssuanceStartCustomExtension", TOKEN_EXTENSION)
    created = created_from(client, "v1.0", build("3.1 v1.0 token listener request", ref))
    item = client.get(f"/v1.0/{LISTENERS}").get_json()["value"][0]
    assert item["handler"]["customExtension"] == {"id": TOKEN_EXTENSION}
    assert item["conditions"]["applications"]["includeApplications@odata.context"] == (
        "https://graph.microsoft.com/v1.0/$metadata#identity/authenticationEventListeners"
        f"('{created['id']}')/microsoft.graph.onTokenIssuanceStartListener/conditions/applications/includeApplications"
    )


def test_v1_update_example(app: Flask, client: FlaskClient, ref: Reference) -> None:
    add_extension(app, "onTokenIssuanceStartCustomExtension", TOKEN_EXTENSION)
    request = build("3.1 v1.0 token listener request", ref)
    request["conditions"]["applications"]["includeApplications"] = [{"appId": "another-app"}]
    created = created_from(client, "v1.0", request)
    # The documented body has a trailing comma; the reference's builder drops it (a JSON object is sent).
    patch = build("3.2 update", ref)
    response = client.patch(f"/v1.0/{LISTENERS}/{created['id']}", json=patch)
    assert response.status_code == 204
    assert response.get_data() == b""
    fetched = client.get(f"/v1.0/{LISTENERS}/{created['id']}").get_json()
    assert fetched["conditions"]["applications"]["includeApplications"] == [
        {"appId": "a13d0fc1-04ab-4ede-b215-63de0174cbb4"}
    ]
    assert fetched["handler"]["customExtension"] == {"id": TOKEN_EXTENSION}


def test_get_and_delete_answer_200_and_204(app: Flask, client: FlaskClient, ref: Reference) -> None:
    add_extension(app, "onTokenIssuanceStartCustomExtension", TOKEN_EXTENSION)
    created = created_from(client, "v1.0", build("3.1 v1.0 token listener request", ref))
    item = f"/v1.0/{LISTENERS}/{created['id']}"
    fetched = client.get(item)
    assert fetched.status_code == 200
    document = fetched.get_json()
    conforms("authenticationEventListener", document)
    applications = document["conditions"]["applications"]
    assert applications.pop("includeApplications@odata.context").endswith("/includeApplications")
    assert document == created
    deleted = client.delete(item)
    assert (deleted.status_code, deleted.get_data()) == (204, b"")
    assert client.get(item).status_code == 404
