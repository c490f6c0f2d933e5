"""Settings of ``mockgraph serve``: command-line flags over ``MOCKGRAPH_*`` environment variables over a TOML file.

Every problem is a ``ConfigError`` whose message is one line naming the setting and where it came from,
so the command can print it and exit 2 instead of showing a traceback.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockgraph.core.config import (
    DEFAULT_CONNECTOR_LIMIT,
    DEFAULT_EXTENSION_LIMIT,
    AppRegistration,
    MockGraphConfig,
    ServicePrincipal,
    Tenant,
    UserAccount,
    default_apps,
    default_tenants,
    default_users,
)
from mockgraph.core.network import NetworkPolicy, check_allowed_host, check_public_url
from mockgraph.core.principal import AuthMode
from mockgraph.identity import Directory
from mockgraph.identity.directory import entry_from_json
from mockgraph.storage.sqlite import with_state_defaults

ENV_PREFIX = "MOCKGRAPH_"
CONFIG_ENV = "MOCKGRAPH_CONFIG"
DEFAULT_PORT = 5000
LOG_FORMATS = ("text", "json")
TLS_DIR_NAME = "mockgraph-tls"


class ConfigError(ValueError):
    """A bad setting; ``str()`` is one line fit to print."""


@dataclass(frozen=True)
class ServeSettings:
    """What ``mockgraph serve`` runs with."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    tls: bool = False
    tls_dir: Path | None = None
    auth_mode: AuthMode = AuthMode.ENFORCE
    connector_limit: int = DEFAULT_CONNECTOR_LIMIT
    extension_limit: int = DEFAULT_EXTENSION_LIMIT
    validation_hints: bool = True
    strict_extension_writes: bool = False
    seed: Path | None = None
    state: Path | None = None
    log_format: str = "text"
    workers: int = 1
    threads: int = 8
    # The network policy (docs/security.md): extra Host names to answer, the URL clients use, secret export.
    allowed_hosts: tuple[str, ...] = ()
    public_url: str | None = None
    allow_secret_export: bool = False
    # Directory entries added to (or, with default_directory = false, replacing) the published defaults.
    default_directory: bool = True
    tenants: tuple[Tenant, ...] = ()
    apps: tuple[AppRegistration, ...] = ()
    users: tuple[UserAccount, ...] = ()
    service_principals: tuple[ServicePrincipal, ...] = ()
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def effective_tls_dir(self) -> Path:
        """Where the CA and server certificate live: as set, else beside the state, else ``~/.mockgraph/tls``."""
        if self.tls_dir is not None:
            return self.tls_dir
        if self.state is not None:
            return self.state.parent / TLS_DIR_NAME
        return Path.home() / ".mockgraph" / "tls"

    def to_config(self) -> MockGraphConfig:
        keep = self.default_directory
        return with_state_defaults(
            MockGraphConfig(
                auth_mode=self.auth_mode,
                connector_limit=self.connector_limit,
                extension_limit=self.extension_limit,
                validation_hints=self.validation_hints,
                strict_extension_writes=self.strict_extension_writes,
                tenants=(default_tenants() if keep else ()) + self.tenants,
                apps=(default_apps() if keep else ()) + self.apps,
                users=(default_users() if keep else ()) + self.users,
                service_principals=self.service_principals,
                state_path=self.state,
                network=NetworkPolicy(
                    bound_host=self.host,
                    allowed_hosts=self.allowed_hosts,
                    public_url=self.public_url,
                    allow_secret_export=self.allow_secret_export,
                ),
            )
        )


# Parsers: raw value (TOML value or environment text) -> typed value; ValueError says why. ------------


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _integer(low: int, high: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("expected an integer")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected an integer, got {value!r}") from None
        if number < low or (high is not None and number > high):
            bound = f"{low}..{high}" if high is not None else f">= {low}"
            raise ValueError(f"expected an integer {bound}, got {number}")
        return number

    return parse


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _auth_mode(value: Any) -> AuthMode:
    try:
        return AuthMode(str(value).lower())
    except ValueError:
        raise ValueError(f"expected one of {', '.join(m.value for m in AuthMode)}, got {value!r}") from None


def _log_format(value: Any) -> str:
    if value not in LOG_FORMATS:
        raise ValueError(f"expected one of {', '.join(LOG_FORMATS)}, got {value!r}")
    return str(value)


def _path(value: Any) -> Path:
    return Path(_text(value)).expanduser()


def _host_names(value: Any) -> tuple[str, ...]:
    """A TOML array or repeated flag of names, or (from the environment) one comma-separated string."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ValueError("expected a list of host names")
    return tuple(check_allowed_host(item) for item in items if item.strip())


def _public_url(value: Any) -> str:
    return check_public_url(_text(value))


SCALARS: dict[str, Callable[[Any], Any]] = {
    "host": _text,
    "port": _integer(0, 65535),
    "tls": _boolean,
    "tls_dir": _path,
    "auth_mode": _auth_mode,
    "connector_limit": _integer(1),
    "extension_limit": _integer(1),
    "validation_hints": _boolean,
    "strict_extension_writes": _boolean,
    "seed": _path,
    "state": _path,
    "log_format": _log_format,
    "workers": _integer(1, 64),
    "threads": _integer(1, 512),
    "default_directory": _boolean,
    "allowed_hosts": _host_names,
    "public_url": _public_url,
    "allow_secret_export": _boolean,
}
# Flags not spelled after their key: ``--allowed-host`` is given once per name.
FLAG_SPELLINGS = {"allowed_hosts": "--allowed-host"}
PATH_KEYS = ("tls_dir", "seed", "state")
DIRECTORY_KINDS: dict[str, type[Any]] = {
    "tenants": Tenant,
    "apps": AppRegistration,
    "users": UserAccount,
    "service_principals": ServicePrincipal,
}


def _directory_entries(kind: str, value: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"{where}: '{kind}' must be an array of tables ([[{kind}]])")
    try:
        # One parser for the TOML file and seeds: the same keys, types and one-line messages.
        stored_kind = (
            "servicePrincipals" if kind == "service_principals" else kind
        )  # the directory's spelling
        return tuple(
            entry_from_json(stored_kind, item, f"{kind}[{index}]", toml=True)
            for index, item in enumerate(value)
        )
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as error:
        raise ConfigError(f"config file {path} cannot be read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None


def load_settings(
    flags: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> ServeSettings:
    """Merge ``flags`` (only those given; None = not given) over ``MOCKGRAPH_*`` variables over the TOML file."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    directory: dict[str, Any] = {}
    if config_file is None and environ.get(CONFIG_ENV):
        config_file = Path(environ[CONFIG_ENV])
    if config_file is not None:
        where = f"config file {config_file}"
        document = _read_toml(config_file)
        for key, raw in document.items():
            if key in DIRECTORY_KINDS:
                directory[key], sources["directory"] = _directory_entries(key, raw, where), where
                continue
            if key not in SCALARS:
                raise ConfigError(
                    f"{where}: unknown setting '{key}' (known: {', '.join([*SCALARS, *DIRECTORY_KINDS])})"
                )
            values[key], sources[key] = _parse(key, raw, where), where
            if key in PATH_KEYS and not values[key].is_absolute():
                values[key] = config_file.parent / values[key]
    for key in SCALARS:
        name = ENV_PREFIX + key.upper()
        if name in environ:
            values[key], sources[key] = _parse(key, environ[name], f"environment variable {name}"), name
    for key, raw in flags.items():
        if raw is not None:
            flag = FLAG_SPELLINGS.get(key, "--" + key.replace("_", "-"))
            values[key], sources[key] = _parse(key, raw, f"option {flag}"), flag
    settings = ServeSettings(**values, **directory, sources=sources)
    _check(settings)
    return settings


def _parse(key: str, raw: Any, where: str) -> Any:
    try:
        return SCALARS[key](raw)
    except ValueError as error:
        raise ConfigError(f"{where}: bad {key}: {error}") from None


def _check(settings: ServeSettings) -> None:
    """Rules that span settings, and files that must exist."""
    if settings.seed is not None and not settings.seed.is_file():
        raise ConfigError(
            f"seed file {settings.seed} does not exist ({settings.sources.get('seed', 'seed')})"
        )
    if settings.state is not None and settings.state.is_dir():
        raise ConfigError(
            f"state {settings.state} is a directory; give a file path such as {settings.state / 'state.db'}"
        )
    if settings.state is not None and not settings.state.parent.is_dir():
        # A typo in a folder name must not quietly become a new tree of folders holding a fresh state.
        raise ConfigError(
            f"state {settings.state}: the folder {settings.state.parent} does not exist; create it first "
            f"({settings.sources.get('state', 'state')})"
        )
    if settings.workers > 1 and settings.state is None:
        raise ConfigError("workers > 1 need a shared state file: add --state PATH (or MOCKGRAPH_STATE)")
    if settings.workers > 1 and os.name != "posix":
        raise ConfigError(
            "workers > 1 need fork (POSIX); run several 'mockgraph serve' on one --state instead"
        )
    config = settings.to_config()
    if not config.tenants:
        raise ConfigError("the directory has no tenant: add [[tenants]] or keep default_directory = true")
    try:
        Directory(config)
    except ValueError as error:
        raise ConfigError(f"{settings.sources.get('directory', 'directory')}: {error}") from None
