"""``mockgraph serve``'s network policy over the wire: trusted Host names only (DNS rebinding), the public URL in
what it prints and returns, secret export only when opted in, the non-loopback warning, and ``--host ::``.

Every connection goes to loopback; foreign names are only ever sent as the ``Host`` header.
"""

from __future__ import annotations

from pathlib import Path

from mockgraph.core.config import DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID
from tests._serve_process import ServeProcess, run_serve

JSON = {"Content-Type": "application/json"}


def port_of(server: ServeProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_a_rebinding_host_is_refused_and_loopback_names_are_served(tmp_path: Path) -> None:
    with ServeProcess(tmp_path) as server:
        assert not any("WARNING" in line for line in server.banner)  # a loopback bind
        session = server.session()
        port = port_of(server)
        for path in (
            "/_mockgraph/health",
            f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
            "/beta/identity/apiConnectors",
        ):
            refused = session.get(
                f"{server.url}{path}", headers={"Host": f"rebind.example:{port}"}, timeout=10
            )
            assert refused.status_code == 403, path
            assert refused.headers["Content-Type"] == "application/json"
            assert refused.json()["error"]["code"] == "Authorization_RequestDenied"
            assert (
                refused.headers["x-mockgraph-reason"] == "Host 'rebind.example' is not trusted by this server"
            )
        token = session.post(
            f"{server.url}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
            headers={"Host": f"rebind.example:{port}"},
            data={"grant_type": "client_credentials", "client_secret": DEFAULT_CLIENT_SECRET},
            timeout=10,
        )
        assert token.status_code == 403
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", "[::1]"):
            assert session.get(f"{server.url}/_mockgraph/health", headers={"Host": host}, timeout=10).ok, host
        assert server.stop() == 0


def test_allowed_hosts_come_from_flags_the_environment_and_the_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "mockgraph.toml"
    config.write_text('allowed_hosts = ["from-toml.test"]\n')
    with ServeProcess(
        tmp_path, "--allowed-host", "from-flag.test", "--allowed-host", "second.test"
    ) as server:
        session = server.session()
        for host, status in (("from-flag.test", 200), ("second.test", 200), ("from-toml.test", 403)):
            response = session.get(f"{server.url}/_mockgraph/health", headers={"Host": host}, timeout=10)
            assert response.status_code == status, host
    env = {"MOCKGRAPH_ALLOWED_HOSTS": "from-env.test, other-env.test"}
    with ServeProcess(tmp_path, "--config", str(config), env=env) as server:
        session = server.session()
        for host, status in (("from-env.test", 200), ("other-env.test", 200), ("from-toml.test", 403)):
            response = session.get(f"{server.url}/_mockgraph/health", headers={"Host": host}, timeout=10)
            assert response.status_code == status, host
    with ServeProcess(tmp_path, "--config", str(config)) as server:
        response = server.session().get(
            f"{server.url}/_mockgraph/health", headers={"Host": "from-toml.test"}, timeout=10
        )
        assert response.status_code == 200


def test_bad_network_settings_stop_the_server_with_one_line(tmp_path: Path) -> None:
    for args, expected in (
        (["--allowed-host", "bad host"], "option --allowed-host: bad allowed_hosts:"),
        (["--public-url", "ftp://x.test"], "option --public-url: bad public_url:"),
        (["--public-url", "http://x.test/prefix"], "option --public-url: bad public_url:"),
    ):
        result = run_serve(tmp_path, "--port", "0", *args)
        assert result.returncode == 2, args
        assert result.stderr.startswith(f"mockgraph serve: error: {expected}"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_the_public_url_is_printed_trusted_and_returned(tmp_path: Path) -> None:
    public = "https://mockgraph.container.test:9443"
    with ServeProcess(tmp_path, "--public-url", public, "--auth-mode", "off") as server:
        banner = "\n".join(server.banner)
        assert f"Graph:     {public}/beta" in banner
        assert f"Token:     {public}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token" in banner
        # The banner's first line still says where the socket really listens (the tests read it).
        assert server.url.startswith("http://127.0.0.1:")
        session = server.session()
        host = {"Host": "mockgraph.container.test:9443"}
        body = {
            "displayName": "x",
            "targetUrl": "https://api.example.com/x",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "u",
                "password": "p",
            },
        }
        created = session.post(
            f"{server.url}/beta/identity/apiConnectors", json=body, headers=host, timeout=10
        )
        assert created.status_code == 201
        assert created.headers["Location"].startswith(f"{public}/beta/identity/apiConnectors/")
        local = session.post(f"{server.url}/beta/identity/apiConnectors", json=body, timeout=10)
        assert local.headers["Location"].startswith(f"{public}/beta/")
        page = session.get(f"{server.url}/beta/identity/apiConnectors?$top=1", timeout=10).json()
        assert page["@odata.nextLink"].startswith(f"{public}/beta/")
        discovery = session.get(
            f"{server.url}/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration", timeout=10
        ).json()
        assert discovery["token_endpoint"] == f"{public}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"
        assert discovery["jwks_uri"].startswith(public)


def test_secret_export_needs_the_servers_opt_in(tmp_path: Path) -> None:
    with ServeProcess(tmp_path) as server:
        refused = server.admin("GET", "snapshot", params={"secrets": "true"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "Authorization_RequestDenied"
        assert "--allow-secret-export" in refused.json()["error"]["message"]
        assert refused.headers["x-mockgraph-reason"] == "secret export is off on this server"
        assert server.admin("GET", "snapshot").json()["secrets"] is False
    # (MOCKGRAPH_ALLOW_SECRET_EXPORT and the TOML key: tests/test_settings.py)
    with ServeProcess(tmp_path, "--allow-secret-export") as server:
        assert server.admin("GET", "snapshot", params={"secrets": "true"}).json()["secrets"] is True


def test_a_cross_site_form_post_cannot_reset_the_server(tmp_path: Path) -> None:
    with ServeProcess(tmp_path) as server:
        session = server.session()
        reset = f"{server.url}/_mockgraph/reset"
        form = session.post(reset, data="x", headers={"Content-Type": "text/plain"}, timeout=10)
        assert form.status_code == 415
        foreign = session.post(reset, headers={**JSON, "Origin": "http://evil.example"}, timeout=10)
        assert foreign.status_code == 403
        assert session.post(reset, headers={**JSON, "Origin": server.url}, timeout=10).status_code == 204
        assert session.post(reset, headers=JSON, timeout=10).status_code == 204


def test_dual_stack_bind_serves_ipv4_loopback_admin_calls_and_prints_a_working_url(tmp_path: Path) -> None:
    """``--host ::`` (the port is reached through loopback only): IPv4 callers appear as ``::ffff:127.0.0.1``."""
    with ServeProcess(tmp_path, "--host", "::") as server:
        banner = "\n".join(server.banner)
        assert "WARNING" in banner
        assert "published development secret" in banner
        assert "full read and write access" in banner
        session = server.session()
        admin = next(line.split()[-1] for line in server.banner if line.strip().startswith("Admin:"))
        assert session.get(admin, timeout=10).status_code == 200
        ipv4 = f"http://127.0.0.1:{port_of(server)}/_mockgraph/journal"
        assert session.get(ipv4, timeout=10).status_code == 200
        ipv6 = f"http://[::1]:{port_of(server)}/_mockgraph/journal"
        assert session.get(ipv6, timeout=10).status_code == 200
