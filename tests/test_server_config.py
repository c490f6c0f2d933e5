"""Bad configurations stop ``mockgraph serve`` at start with one clear line on stderr and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._serve_process import ServeProcess, run_serve, server_connector


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mockgraph.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--port", "70000"], {}, "option --port: bad port"),
        (["--port", "http"], {}, "expected an integer"),
        (["--auth-mode", "strict"], {}, "bad auth_mode: expected one of enforce, permissive, off"),
        ([], {"MOCKGRAPH_AUTH_MODE": "lax"}, "environment variable MOCKGRAPH_AUTH_MODE: bad auth_mode"),
        ([], {"MOCKGRAPH_TLS": "maybe"}, "MOCKGRAPH_TLS: bad tls"),
        (["--log-format", "xml"], {}, "bad log_format"),
        (["--seed", "missing.json"], {}, "seed file missing.json does not exist"),
        (["--workers", "2"], {}, "workers > 1 need a shared state file"),
        (["--connector-limit", "0"], {}, "bad connector_limit"),
        (["--config", "absent.toml"], {}, "config file absent.toml does not exist"),
    ],
)
def test_bad_setting_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], says: str
) -> None:
    result = run_serve(tmp_path, *args, env=env)
    assert result.returncode == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("mockgraph serve: error: ")


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("port = [1", "is not valid TOML"),
        ("colour = 'blue'", "unknown setting 'colour'"),
        ("port = 'five'", "bad port"),
        (
            "[[apps]]\nclient_id = 'x'\nclient_secret = 'y'\ntenant_id = 'nowhere'",
            "names unknown tenant nowhere",
        ),
        ("[[users]]\nusername = 'u'\nshoe_size = 9", "unknown key 'shoe_size'"),
        ("default_directory = false", "the directory has no tenant"),
    ],
)
def test_bad_toml_is_one_line_and_exit_2(tmp_path: Path, toml: str, says: str) -> None:
    result = run_serve(tmp_path, "--config", _config(tmp_path, toml))
    assert result.returncode == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_bad_seed_content_and_bad_state_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "seed.json").write_text('{"connectors": [{"displayName": 5}]}')
    result = run_serve(tmp_path, "--seed", "seed.json")
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)
    assert "seed file seed.json" in result.stderr
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    result = run_serve(tmp_path, "--state", "junk.db")
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)
    assert "cannot open the state" in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with ServeProcess(tmp_path) as running:
        port = running.url.rsplit(":", 1)[1]
        result = run_serve(tmp_path, "--port", port)
        assert (result.returncode, result.stderr.count("\n")) == (2, 1)
        assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
        assert running.stop() == 0


def test_toml_then_env_then_flags(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "auth_mode = 'off'\nconnector_limit = 3\nstate = 'from-toml.db'\n"
        "[[tenants]]\ntenant_id = '7e7e0000-0000-4000-8000-000000000001'\ndomain = 'toml.example'\n",
    )
    with ServeProcess(tmp_path, "--config", config, env={"MOCKGRAPH_AUTH_MODE": "permissive"}) as process:
        banner = process.banner[0]
        assert "auth permissive" in banner  # the environment beats the file
        assert f"state {tmp_path / 'from-toml.db'}" in banner  # relative to the file
        assert process.stop() == 0
    with ServeProcess(
        tmp_path, "--config", config, "--auth-mode", "off", env={"MOCKGRAPH_AUTH_MODE": "permissive"}
    ) as process:
        assert "auth off" in process.banner[0]  # the flag beats both
        url = f"{process.url}/beta/identity/apiConnectors"
        session = process.session()
        statuses = [session.post(url, json=server_connector(), timeout=10).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 400]  # connector_limit = 3 from the file
        assert process.stop() == 0
