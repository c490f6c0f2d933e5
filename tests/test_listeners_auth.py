"""Who may call the listener and user-flow operations: the reference's section 6 tables, row by row, over HTTP.

Each operation is called with the least permission it documents, with none of them, as a delegated user with each
accepted role and with a role it does not accept, and as a personal Microsoft account. The permission check comes
before anything else, so "not 403" is enough to show a caller was let through (the ids name nothing: 404 or 400).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.core.config import (
    APPLICATION_ADMINISTRATOR,
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
)
from mockgraph.core.operations import Operation
from mockgraph.identity import BadToken, mint_token
from mockgraph.identity.permissions import ROLE_NAMES
from mockgraph.resources.eventsflows.table import TABLE as FLOWS
from mockgraph.resources.listeners.table import TABLE as LISTENERS
from tests.support import assert_graph_error

READ, READ_WRITE = "EventListener.Read.All", "EventListener.ReadWrite.All"
LISTENER_WRITERS = (
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
)
LISTENER_READERS = (
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    GLOBAL_READER,
    GLOBAL_ADMINISTRATOR,
)
FLOW_ROLES = (EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
OPERATIONS = [*LISTENERS.operations, *FLOWS.operations]


def expected_roles(operation: Operation) -> tuple[str, ...]:
    if operation in LISTENERS.operations:
        return LISTENER_READERS if operation.method == "GET" else LISTENER_WRITERS
    return FLOW_ROLES


def expected_permissions(operation: Operation) -> tuple[str, ...]:
    return (READ, READ_WRITE) if operation.method == "GET" else (READ_WRITE,)


def refused_role(operation: Operation) -> str:
    """A real role the operation does not accept (the neighbouring resource's)."""
    if operation in LISTENERS.operations:
        return EXTERNAL_ID_USER_FLOW_ADMINISTRATOR
    return AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    app: Flask = create_app()  # enforce: the real decisions
    return app.test_client()


def call(client: FlaskClient, operation: Operation, token: str) -> int:
    path = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-00000000abcd", operation.path)
    body: dict[str, object] | None = {} if operation.method in ("POST", "PATCH", "PUT") else None
    response = client.open(
        f"/{operation.versions[0]}/{path}",
        method=operation.method,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code if response.status_code != 403 else -1


def test_the_table_rows_are_the_references() -> None:
    for operation in OPERATIONS:
        assert operation.allow.application == expected_permissions(operation), operation.name
        assert operation.allow.delegated == expected_permissions(operation), operation.name
        assert operation.allow.roles == expected_roles(operation), operation.name
        assert not operation.allow.personal_accounts, operation.name
    for role in (*LISTENER_READERS, *FLOW_ROLES):
        assert role in ROLE_NAMES  # the docs' permission table names every role


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_the_least_permission_lets_an_app_through(client: FlaskClient, operation: Operation) -> None:
    assert call(client, operation, mint_token(roles=[operation.allow.application[0]])) != -1


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_an_app_without_the_permission_gets_graphs_403(client: FlaskClient, operation: Operation) -> None:
    wrong = (
        [READ]
        if operation.method != "GET"
        else ["APIConnectors.ReadWrite.All", "IdentityUserFlow.ReadWrite.All"]
    )
    path = re.sub(r"\{[^}]+\}", "x", operation.path)
    response = client.open(
        f"/{operation.versions[0]}/{path}",
        method=operation.method,
        json={} if operation.method in ("POST", "PATCH", "PUT") else None,
        headers={"Authorization": f"Bearer {mint_token(roles=wrong)}"},
    )
    accepted = ", ".join(expected_permissions(operation))
    assert_graph_error(
        response,
        403,
        "AADB2C",
        f"The application does not have any of the required application permissions ({accepted}) to access the resource.",
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_delegated_callers_need_the_scope_and_an_accepted_role(
    client: FlaskClient, operation: Operation
) -> None:
    scope = operation.allow.delegated[0]
    for role in expected_roles(operation):
        assert call(client, operation, mint_token(kind="user", scp=scope, wids=[role])) != -1, role
    assert call(client, operation, mint_token(kind="user", scp=scope, wids=[refused_role(operation)])) == -1
    assert (
        call(client, operation, mint_token(kind="user", scp="User.Read", wids=[GLOBAL_ADMINISTRATOR])) == -1
    )


def test_global_reader_reads_listeners_but_does_not_write(client: FlaskClient) -> None:
    token = mint_token(kind="user", scp=READ_WRITE, wids=[GLOBAL_READER])
    assert call(client, LISTENERS["LIST_LISTENERS"], token) == 200
    assert call(client, LISTENERS["CREATE_LISTENER"], token) == -1
    assert (
        call(client, FLOWS["LIST_EVENTS_FLOWS"], token) == -1
    )  # flows name only the user-flow administrator


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_personal_accounts_are_refused(client: FlaskClient, operation: Operation) -> None:
    token = mint_token(bad=BadToken.PERSONAL_ACCOUNT, scp=READ_WRITE, wids=[GLOBAL_ADMINISTRATOR])
    assert call(client, operation, token) == -1
