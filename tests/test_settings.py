"""Settings of ``mockgraph serve``: flags over MOCKGRAPH_* over TOML, typed, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from mockgraph.core.network import NetworkPolicy
from mockgraph.core.principal import AuthMode
from mockgraph.server.settings import ConfigError, ServeSettings, load_settings

TOML = """
host = "127.0.0.1"
port = 7000
tls = true
auth_mode = "permissive"
connector_limit = 7
state = "data/state.db"
log_format = "json"

[[tenants]]
tenant_id = "7e7e0000-0000-4000-8000-000000000002"
domain = "second.example"

[[apps]]
client_id = "7e7e0000-0000-4000-8000-0000000000a2"
client_secret = "second-secret"
tenant_id = "7e7e0000-0000-4000-8000-000000000002"
application_permissions = ["APIConnectors.Read.All"]
"""


def test_defaults() -> None:
    settings = load_settings({}, environ={})
    assert settings == ServeSettings()
    assert (settings.host, settings.port, settings.auth_mode) == ("127.0.0.1", 5000, AuthMode.ENFORCE)
    assert settings.to_config().state_path is None


def test_toml_env_and_flags_in_order(tmp_path: Path) -> None:
    path = tmp_path / "mockgraph.toml"
    path.write_text(TOML)
    (tmp_path / "data").mkdir()
    from_file = load_settings({}, environ={}, config_file=path)
    assert (from_file.port, from_file.tls, from_file.connector_limit, from_file.log_format) == (
        7000,
        True,
        7,
        "json",
    )
    assert from_file.state == tmp_path / "data" / "state.db"
    config = from_file.to_config()
    assert [t.tenant_id for t in config.tenants] == [
        DEFAULT_TENANT_ID,
        "7e7e0000-0000-4000-8000-000000000002",
    ]
    assert config.apps[0].client_id == DEFAULT_CLIENT_ID
    assert config.apps[1].application_permissions == ("APIConnectors.Read.All",)
    assert config.signing_key_path == tmp_path / "data" / "mockgraph-signing-key.pem"
    assert from_file.effective_tls_dir() == tmp_path / "data" / "mockgraph-tls"
    env = {"MOCKGRAPH_CONFIG": str(path), "MOCKGRAPH_PORT": "7001", "MOCKGRAPH_TLS": "false"}
    from_env = load_settings({}, environ=env)
    assert (from_env.port, from_env.tls, from_env.auth_mode) == (7001, False, AuthMode.PERMISSIVE)
    flagged = load_settings({"port": "0", "auth_mode": "off", "tls": None}, environ=env)
    assert (flagged.port, flagged.auth_mode, flagged.tls) == (0, AuthMode.OFF, False)
    assert flagged.sources["port"] == "--port"
    assert flagged.sources["tls"] == "MOCKGRAPH_TLS"


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        ({"port": "-1"}, {}, "option --port: bad port: expected an integer 0..65535, got -1"),
        ({}, {"MOCKGRAPH_WORKERS": "0"}, "environment variable MOCKGRAPH_WORKERS: bad workers"),
        ({"workers": "3"}, {}, "workers > 1 need a shared state file"),
        ({"auth_mode": "nope"}, {}, "bad auth_mode"),
    ],
)
def test_errors_are_one_line(flags: dict[str, str], env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(flags, environ=env)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_state_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings({"state": str(tmp_path)}, environ={})


def test_network_settings_become_the_apps_policy(tmp_path: Path) -> None:
    path = tmp_path / "mockgraph.toml"
    path.write_text('allowed_hosts = ["From-Toml.test"]\npublic_url = "https://public.test:8443/"\n')
    settings = load_settings(
        {"allowed_hosts": ["A.test", ".svc.test"], "host": "devbox"},
        environ={"MOCKGRAPH_ALLOW_SECRET_EXPORT": "yes"},
        config_file=path,
    )
    assert settings.to_config().network == NetworkPolicy(
        bound_host="devbox",
        allowed_hosts=("a.test", ".svc.test"),
        public_url="https://public.test:8443",
        allow_secret_export=True,
    )
    assert settings.sources["allowed_hosts"] == "--allowed-host"
    from_env = load_settings({}, environ={"MOCKGRAPH_ALLOWED_HOSTS": "a.test, b.test,"}, config_file=path)
    assert from_env.allowed_hosts == ("a.test", "b.test")
    assert load_settings({}, environ={}).to_config().network == NetworkPolicy()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"allowed_hosts": ["a b"]}, "option --allowed-host: bad allowed_hosts: expected a host name"),
        ({"public_url": "localhost:5000"}, "option --public-url: bad public_url: expected http://host"),
        ({"public_url": "http://x.test/api"}, "option --public-url: bad public_url: expected an origin"),
        ({"public_url": "http://user@x.test"}, "option --public-url: bad public_url: expected an origin"),
    ],
)
def test_bad_network_settings(flags: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(")):
        load_settings(flags, environ={})
