"""Secrets never leak: a full scenario with known secret values against a live server, then every response
body and header (``x-mockgraph-reason`` included), every log line (Python logging and anything written to
stdout/stderr) and the journal export are searched for them. Secrets are sent every way a careless client
sends them: form fields, JSON bodies, a PKCS#12 blob, secret-named query parameters, a token without
``Bearer``, a token in a path or a query option. The one exemption is a token in the body of the token
response that issued it."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests

from mockgraph import create_app, make_pkcs12
from mockgraph.core.config import (
    DEFAULT_TENANT_ID,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    READ_WRITE_ALL,
    AppRegistration,
    MockGraphConfig,
    UserAccount,
)
from mockgraph.server import request_log
from mockgraph.web.hooks import journal_of
from tests.support import COLLECTION_PATH, basic_auth, connector_body, live_server

CLIENT_ID = "5ec7e700-0000-4000-8000-00000000a001"
USER_NAME = "secret.keeper@mockgraph.onmicrosoft.com"


def secret(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


@dataclass
class Secrets:
    client_secret: str = field(default_factory=lambda: secret("client-secret"))
    user_password: str = field(default_factory=lambda: secret("user-password"))
    basic_password: str = field(default_factory=lambda: secret("basic-password"))
    patched_password: str = field(default_factory=lambda: secret("patched-password"))
    refused_password: str = field(default_factory=lambda: secret("refused-password"))
    pfx_password: str = field(default_factory=lambda: secret("pfx-password"))
    uploaded_pfx_password: str = field(default_factory=lambda: secret("uploaded-pfx-password"))
    query_secret: str = field(default_factory=lambda: secret("query-secret"))
    query_password: str = field(default_factory=lambda: secret("query-password"))
    query_code: str = field(default_factory=lambda: secret("query-code"))
    pfx_blob: str = ""
    uploaded_pfx_blob: str = ""
    tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pfx_blob = make_pkcs12(password=self.pfx_password).base64
        self.uploaded_pfx_blob = make_pkcs12(password=self.uploaded_pfx_password).base64

    def needles(self) -> dict[str, str]:
        """Every secret and the encodings it could leak in (URL-quoted, a slice of a long blob)."""
        values = {name: value for name, value in vars(self).items() if isinstance(value, str)}
        values.update({f"token {n}": token for n, token in enumerate(self.tokens)})
        # A token's signature alone is a secret too (its header and claims are not).
        values.update(
            {f"token {n} signature": token.rsplit(".", 1)[-1] for n, token in enumerate(self.tokens)}
        )
        needles: dict[str, str] = {}
        for name, value in values.items():
            needles[name] = value
            needles[f"{name} (quoted)"] = quote(value, safe="")
            needles[f"{name} (form-quoted)"] = quote_plus(value)
            if len(value) > 200:
                middle = len(value) // 2
                needles[f"{name} (slice)"] = value[middle : middle + 64]
        return needles


@dataclass
class Seen:
    """Everything the scenario could observe: (where, text)."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def response(self, label: str, response: requests.Response, exempt: tuple[str, ...] = ()) -> Any:
        body = response.text
        for value in exempt:
            body = body.replace(value, "<issued here>")
        headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
        self.texts.append((f"{label}: headers", f"{response.status_code} {response.reason}\n{headers}"))
        self.texts.append((f"{label}: body", body))
        return response.json() if response.content else None


class CapturingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # urllib3 logs the URLs this test's own client requests (secret query parameters and all): that is
        # the client's log, not the emulator's.
        if not record.name.startswith("urllib3"):
            self.lines.append(self.format(record))


@pytest.fixture
def every_log_line() -> Iterator[CapturingHandler]:
    root = logging.getLogger()
    handler = CapturingHandler()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def config(secrets: Secrets) -> MockGraphConfig:
    defaults = MockGraphConfig()
    app = AppRegistration(
        client_id=CLIENT_ID,
        client_secret=secrets.client_secret,
        tenant_id=DEFAULT_TENANT_ID,
        display_name="secret keeper",
        application_permissions=(READ_WRITE_ALL,),
        delegated_scopes=(READ_WRITE_ALL,),
        object_id="5ec7e700-0000-4000-8000-00000000b001",
    )
    user = UserAccount(
        username=USER_NAME,
        password=secrets.user_password,
        object_id="5ec7e700-0000-4000-8000-00000000c001",
        directory_roles=(EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,),
    )
    return MockGraphConfig(apps=(*defaults.apps, app), users=(*defaults.users, user))


def token(base: str, seen: Seen, label: str, form: dict[str, str], secrets: Secrets) -> str | None:
    response = requests.post(f"{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", data=form, timeout=30)
    document = response.json()
    issued = tuple(document[key] for key in ("access_token", "id_token") if key in document)
    secrets.tokens.extend(issued)
    seen.response(label, response, exempt=issued)
    return document.get("access_token")


def run_scenario(base: str, secrets: Secrets, seen: Seen) -> None:
    graph = base + COLLECTION_PATH
    credentials = {"client_id": CLIENT_ID, "scope": "https://graph.microsoft.com/.default"}
    app_token = token(
        base,
        seen,
        "token",
        {**credentials, "grant_type": "client_credentials", "client_secret": secrets.client_secret},
        secrets,
    )
    assert app_token is not None
    refused = token(
        base,
        seen,
        "bad secret",
        {**credentials, "grant_type": "client_credentials", "client_secret": secrets.client_secret + "x"},
        secrets,
    )
    assert refused is None
    user_form = {
        "grant_type": "password",
        "client_id": CLIENT_ID,
        "client_secret": secrets.client_secret,
        "username": USER_NAME,
        "password": secrets.user_password,
        "scope": f"https://graph.microsoft.com/{READ_WRITE_ALL} openid profile",
    }
    user_token = token(base, seen, "user token", user_form, secrets)
    assert user_token is not None
    assert (
        token(base, seen, "bad password", {**user_form, "password": secrets.user_password[::-1]}, secrets)
        is None
    )

    app_session, user_session = requests.Session(), requests.Session()
    app_session.headers["Authorization"] = f"Bearer {app_token}"
    user_session.headers["Authorization"] = f"Bearer {user_token}"

    def call(
        session: requests.Session, label: str, method: str, url: str, body: Any = None, status: int = 200
    ) -> Any:
        response = session.request(method, url, json=body, timeout=30)
        assert response.status_code == status, (label, response.status_code, response.text[:300])
        return seen.response(label, response)

    basic = connector_body(
        "Basic API", "https://api.example.com/basic", basic_auth("api-user", secrets.basic_password)
    )
    first = call(app_session, "create basic", "POST", graph, basic, 201)["id"]
    pfx_auth = {
        "@odata.type": "#microsoft.graph.pkcs12Certificate",
        "pkcs12Value": secrets.pfx_blob,
        "password": secrets.pfx_password,
    }
    pfx = connector_body("Certificate API", "https://api.example.com/pfx", pfx_auth)
    second = call(user_session, "create pfx (user)", "POST", graph, pfx, 201)["id"]
    for session in (app_session, user_session):
        call(session, "get", "GET", f"{graph}/{first}")
        call(session, "get pfx", "GET", f"{graph}/{second}")
        call(session, "list", "GET", graph)
        call(
            session,
            "list select",
            "GET",
            f"{graph}?$select=authenticationConfiguration,displayName&$count=true",
        )
        call(session, "count", "GET", f"{graph}/$count")
    patch = {"authenticationConfiguration": basic_auth("api-user", secrets.patched_password)}
    call(app_session, "patch password", "PATCH", f"{graph}/{first}", patch, 204)
    upload = {"pkcs12Value": secrets.uploaded_pfx_blob, "password": secrets.uploaded_pfx_password}
    call(app_session, "upload", "POST", f"{graph}/{first}/uploadClientCertificate", upload)
    # Refusals that carry secrets: the error must not echo them.
    bad_patch = {
        # refused for the unexpected property; the password is in the body all the same
        "authenticationConfiguration": {**basic_auth(password=secrets.refused_password), "unexpected": True}
    }
    call(app_session, "refused patch", "PATCH", f"{graph}/{first}", bad_patch, 400)
    wrong_password = {"pkcs12Value": secrets.pfx_blob, "password": secrets.refused_password}
    call(
        app_session,
        "upload, wrong password",
        "POST",
        f"{graph}/{first}/uploadClientCertificate",
        wrong_password,
        400,
    )
    not_a_blob = {"pkcs12Value": secrets.refused_password, "password": secrets.pfx_password}
    call(
        app_session, "upload, not a blob", "POST", f"{graph}/{first}/uploadClientCertificate", not_a_blob, 400
    )
    bad_create = {
        **pfx,
        "authenticationConfiguration": {
            **pfx["authenticationConfiguration"],
            "password": secrets.refused_password,
        },
    }
    call(app_session, "create, wrong pfx password", "POST", graph, bad_create, 400)
    for label, header in (
        ("tampered token", f"Bearer {app_token[:-6]}AAAAAA"),
        ("secret as token", f"Bearer {secrets.client_secret}"),
        ("basic scheme", f"Basic {secrets.client_secret}"),
    ):
        response = requests.get(graph, headers={"Authorization": header}, timeout=30)
        assert response.status_code == 401
        seen.response(label, response)
    careless_calls(base, graph, app_token, user_token, secrets, seen)
    call(app_session, "get after", "GET", f"{graph}/{first}")
    # The admin API's snapshot leaves secrets out unless asked; asked, it has them (which shows the
    # search below would find a secret wherever one is).
    seen.response("admin snapshot", requests.get(f"{base}/_mockgraph/snapshot", timeout=30))
    opted_in = requests.get(f"{base}/_mockgraph/snapshot?secrets=true", timeout=30).text
    assert secrets.uploaded_pfx_password in opted_in
    assert secrets.uploaded_pfx_blob in opted_in.replace("\\/", "/")
    call(app_session, "delete", "DELETE", f"{graph}/{first}", status=204)
    call(user_session, "delete (user)", "DELETE", f"{graph}/{second}", status=204)
    seen.response("admin journal", requests.get(f"{base}/_mockgraph/journal", timeout=30))


def careless_calls(
    base: str, graph: str, app_token: str, user_token: str, secrets: Secrets, seen: Seen
) -> None:
    """Secrets where they do not belong: the journal, the request log and the reasons must not keep them."""
    bearer = {"Authorization": f"Bearer {app_token}"}
    in_query = {
        "client_secret": secrets.query_secret,
        "access_token": user_token,
        "password": secrets.query_password,
        "code": secrets.query_code,
        "Refresh-Token": secrets.query_secret,
        "clientAssertion": user_token,
    }
    answers = [
        ("secrets in the query", requests.get(graph, params=in_query, headers=bearer, timeout=30), 200),
        (
            "token in a $filter",
            requests.get(graph, params={"$filter": f"id eq '{user_token}'"}, headers=bearer, timeout=30),
            200,
        ),
        (
            "token as $select",
            requests.get(graph, params={"$select": user_token}, headers=bearer, timeout=30),
            400,
        ),
        ("token in the path", requests.get(f"{graph}/{user_token}", headers=bearer, timeout=30), 404),
        ("token without Bearer", requests.get(graph, headers={"Authorization": app_token}, timeout=30), 401),
        (
            "secret without a scheme",
            requests.get(graph, headers={"Authorization": secrets.client_secret}, timeout=30),
            401,
        ),
        (
            "token, odd scheme",
            requests.get(graph, headers={"Authorization": f"{app_token} {app_token}"}, timeout=30),
            401,
        ),
        (
            "token endpoint, secrets in the query too",
            requests.post(
                f"{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
                params={"client_secret": secrets.query_secret, "password": secrets.query_password},
                data={
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": secrets.query_secret,
                    "scope": "https://graph.microsoft.com/.default",
                },
                timeout=30,
            ),
            401,
        ),
        (
            "token endpoint, assertion and refresh token",
            requests.post(
                f"{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": CLIENT_ID,
                    "refresh_token": user_token,
                    "client_assertion": app_token,
                    "code": secrets.query_code,
                },
                timeout=30,
            ),
            400,
        ),
    ]
    for label, response, status in answers:
        assert response.status_code == status, (label, response.status_code, response.text[:300])
        seen.response(label, response)


def test_no_secret_in_any_response_log_line_or_journal_export(
    every_log_line: CapturingHandler, capfd: pytest.CaptureFixture[str]
) -> None:
    secrets = Secrets()
    app = create_app(config(secrets))
    request_log.install(app)  # the request log ``mockgraph serve`` writes, one line per request
    seen = Seen()
    with live_server(app) as base:
        run_scenario(base, secrets, seen)
    journal = journal_of(app)
    assert len(journal) >= 25  # the scenario was journaled
    seen.texts.append(("journal export", json.dumps(journal.export(), ensure_ascii=False)))
    seen.texts.append(("journal descriptions", "\n".join(entry.describe() for entry in journal.entries())))
    seen.texts.extend(("log", line) for line in every_log_line.lines)
    request_lines = [line for line in every_log_line.lines if line.startswith(request_log.LOGGER_NAME)]
    assert len(request_lines) >= 25  # the request log was captured too
    out, err = capfd.readouterr()
    seen.texts += [("stdout", out), ("stderr", err)]

    leaks = [
        f"{name} in {where}"
        for name, needle in secrets.needles().items()
        for where, text in seen.texts
        if needle in text
    ]
    assert not leaks, "\n".join(leaks[:20])
    # The search could have found them: the secrets did reach the server and were kept where they belong.
    assert len(secrets.tokens) >= 3
    assert any("create basic" in where for where, _ in seen.texts)
