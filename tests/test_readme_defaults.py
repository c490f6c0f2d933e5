"""The README's table of published defaults states the values the code really uses."""

from __future__ import annotations

from pathlib import Path

from mockgraph.core import config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def test_defaults_table_matches_the_configuration() -> None:
    table = README.split("### Defaults", 1)[1].split("Auth modes:", 1)[0]
    for value in (
        config.DEFAULT_TENANT_ID,
        config.DEFAULT_TENANT_DOMAIN,
        config.DEFAULT_CLIENT_ID,
        config.DEFAULT_CLIENT_SECRET,
        config.DEFAULT_USER_NAME,
        config.DEFAULT_USER_PASSWORD,
        *config.DEFAULT_GRANTS,
    ):
        assert f"`{value}" in table, value
    app = config.default_apps()[0]
    assert set(app.application_permissions) == set(config.DEFAULT_GRANTS)
    user = config.default_users()[0]
    assert user.directory_roles == (config.EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,)
