"""Every bad directory entry, in the TOML file or in a seed, is one line naming the file, the key and what is wanted.

The newcomer's case was ``[[apps]]`` without ``client_secret``, answered with Python's
``AppRegistration.__init__() missing 1 required positional argument``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockgraph import create_app
from mockgraph.cli.main import main
from mockgraph.server.settings import ConfigError, load_settings
from tests.support import assert_graph_error, live_server

SECRET = "hunter2-not-to-be-echoed"
APP = f"client_id = 'a'\nclient_secret = '{SECRET}'\n"

# (TOML text, what the message must say): one row per shape of bad entry.
TOML_SHAPES = [
    ("apps = 'x'", "'apps' must be an array of tables ([[apps]])"),
    ("apps = [1]", "'apps' must be an array of tables ([[apps]])"),
    (
        "[[apps]]\nclient_id = 'a'",
        "apps[0] is missing key 'client_secret', a non-empty string (required: client_id, client_secret)",
    ),
    ("[[tenants]]\ndomain = 'x.example'", "tenants[0] is missing key 'tenant_id'"),
    ("[[users]]\nusername = 'u'", "users[0] is missing key 'password', 'object_id'"),
    (f"[[apps]]\n{APP}colour = 'blue'", "apps[0] has unknown key 'colour' (known: client_id, client_secret,"),
    ("[[apps]]\nclient_id = 'a'\nclient_secret = 5", "apps[0]: 'client_secret' must be a non-empty string, got a number"),
    ("[[apps]]\nclient_id = 'a'\nclient_secret = ''", "'client_secret' must be a non-empty string, got an empty string"),
    ("[[apps]]\nclient_id = 'a'\nclient_secret = 's'\ndisplay_name = true", "'display_name' must be a string, got a boolean"),
    (f"[[apps]]\n{APP}application_permissions = '{SECRET}'", "'application_permissions' must be an array of strings, got a string"),
    (f"[[apps]]\n{APP}application_permissions = [1]", "'application_permissions' must be an array of strings, got a list"),
    (f"[[apps]]\n{APP}tenant_id = 'nowhere'", "app a names unknown tenant nowhere (list it under tenants)"),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "says"), TOML_SHAPES)
def test_a_bad_toml_entry_names_the_file_the_key_and_what_is_wanted(
    tmp_path: Path, toml: str, says: str
) -> None:
    path = tmp_path / "mockgraph.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings({}, environ={}, config_file=path)
    message = str(caught.value)
    assert message.startswith(f"config file {path}: "), message
    assert says in message
    assert "\n" not in message
    assert "__init__" not in message
    assert "positional argument" not in message
    assert SECRET not in message


def test_serve_prints_the_app_without_a_secret_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mockgraph.toml"
    path.write_text("[[apps]]\nclient_id = 'a'\n")
    assert main(["serve", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mockgraph serve: error: config file {path}: apps[0] is missing key 'client_secret', a non-empty string "
        "(required: client_id, client_secret)\n"
    )


# (seed document's directory part, what the message must say): the same shapes, as JSON spells them.
SEED_SHAPES = [
    ({"apps": "x"}, "apps must be a list"),
    ({"apps": [1]}, "apps[0] must be an object, got a number"),
    ({"apps": [{"clientId": "a"}]}, "apps[0] is missing property 'clientSecret', a non-empty string"),
    ({"tenants": [{"domain": "x.example"}]}, "tenants[0] is missing property 'tenantId'"),
    ({"users": [{"username": "u"}]}, "users[0] is missing property 'password', 'objectId'"),
    ({"apps": [{"clientId": "a", "clientSecret": SECRET, "colour": "blue"}]}, "apps[0] has unknown property 'colour'"),
    ({"apps": [{"clientId": "a", "clientSecret": 5}]}, "apps[0]: 'clientSecret' must be a non-empty string, got a number"),
    ({"apps": [{"clientId": "a", "clientSecret": ""}]}, "'clientSecret' must be a non-empty string, got an empty string"),
    ({"apps": [{"clientId": "a", "clientSecret": SECRET, "applicationPermissions": SECRET}]}, "'applicationPermissions' must be a list of strings, got a string"),
    ({"apps": [{"clientId": "a", "clientSecret": SECRET, "applicationPermissions": [1]}]}, "must be a list of strings, got a list"),
    ({"apps": [{"clientId": "a", "clientSecret": SECRET, "tenantId": "nowhere"}]}, "app a names unknown tenant nowhere (list it under tenants)"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "says"), SEED_SHAPES)
def test_a_bad_seed_entry_is_a_400_naming_the_key_and_what_is_wanted(
    document: dict[str, object], says: str
) -> None:
    response = create_app().test_client().post("/_mockgraph/seed", json=document)
    error = assert_graph_error(response, 400, "BadRequest")
    assert says in error["message"]
    assert "\n" not in error["message"]
    assert "positional argument" not in error["message"]
    assert SECRET not in response.get_data(as_text=True)


def test_the_seed_command_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"apps": [{"clientId": "a"}]}))
    with live_server(create_app()) as url:
        assert main(["seed", "--url", url, str(seed)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(
        f"mockgraph: error: seed file {seed}: 400 BadRequest: apps[0] is missing property 'clientSecret'"
    )
