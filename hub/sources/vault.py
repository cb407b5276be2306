"""Connector secrets at rest: sealed with Fernet in `hub-sources`, or referenced from the
environment, and opened only when a connector is built.

A connector config field typed `SecretStr` (the Drupal basic-auth password, any token) is
stored as `fernet:<token>` (encrypted with the first key of `HUB_SECRETS_KEY`; every listed key
still decrypts, so keys rotate with `MultiFernet`) or as `env:NAME`, which names an environment
variable of the worker and is read at fetch time. A clear value still stored from before is
sealed on the next registry write (or by `hub sources encrypt-secrets`). Output never shows a
secret: `masked_config` replaces each with `MASK`.

Without `HUB_SECRETS_KEY` a dev/test hub generates a key file under its state directory;
production refuses to start without one (see `Settings`).
"""

from __future__ import annotations

import hmac
import os
import types
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import BaseModel, SecretStr

from connectors.sdk.registry import connector_class
from hub.core.errors import ConfigError
from hub.core.settings import Settings

SEALED = "fernet:"
ENV_REF = "env:"
MASK = "••••••"
KEY_FILE = "secrets.key"

Path_ = tuple[str, ...]


class SecretBox:
    """Seals and opens secret values with the hub's key ring (first key encrypts)."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ConfigError("no secrets key configured")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ConfigError(f"HUB_SECRETS_KEY holds an invalid Fernet key: {exc}") from None
        self.primary = keys[0]

    def seal(self, value: str) -> str:
        """`fernet:<token>` for a clear value; sealed values and `env:` references unchanged."""
        if value.startswith((SEALED, ENV_REF)):
            return value
        return SEALED + self._fernet.encrypt(value.encode()).decode()

    def reseal(self, value: str) -> str:
        """A stored value sealed with the current first key (clear values get sealed)."""
        if value.startswith(SEALED):
            token = value.removeprefix(SEALED).encode()
            return SEALED + self._fernet.rotate(token).decode()
        return self.seal(value)

    def open(self, value: str, environ: Mapping[str, str] | None = None) -> str:
        """The clear secret: decrypted, read from the environment, or a legacy clear value."""
        if value.startswith(ENV_REF):
            name = value.removeprefix(ENV_REF)
            found = (os.environ if environ is None else environ).get(name)
            if found is None:
                raise ConfigError(
                    f"secret references environment variable {name!r}, which is not set",
                    message_de=f"Das Geheimnis verweist auf die Umgebungsvariable „{name}“, "
                    "die auf dem Server nicht gesetzt ist.",
                )
            return found
        if value.startswith(SEALED):
            try:
                return self._fernet.decrypt(value.removeprefix(SEALED).encode()).decode()
            except InvalidToken:
                raise ConfigError(
                    "a stored secret cannot be decrypted with any key of HUB_SECRETS_KEY",
                    message_de="Ein gespeichertes Geheimnis lässt sich mit keinem Schlüssel "
                    "entschlüsseln; bitte das Passwort neu hinterlegen.",
                ) from None
        return value


def key_ring(settings: Settings) -> list[bytes]:
    """The configured keys (newest first), or in dev/test the generated key file."""
    if settings.secrets_key is not None:
        raw = settings.secrets_key.get_secret_value()
        return [part.strip().encode() for part in raw.split(",") if part.strip()]
    if settings.environment == "production":
        raise ConfigError("HUB_SECRETS_KEY must be set in production")
    return [_dev_key(settings.state_dir / KEY_FILE)]


def _dev_key(path: Path) -> bytes:
    """Read or create the development key file (mode 0600); concurrent first starts agree on
    one key because the file appears complete or not at all (written aside, then linked)."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key())
    try:
        os.link(aside, path)
    except FileExistsError:
        pass
    finally:
        aside.unlink(missing_ok=True)
    return path.read_bytes().strip()


@lru_cache(maxsize=8)
def _box(keys: tuple[bytes, ...]) -> SecretBox:
    return SecretBox(list(keys))


def box_for(settings: Settings) -> SecretBox:
    """The key ring of these settings as a `SecretBox` (cached per key ring)."""
    return _box(tuple(key_ring(settings)))


@lru_cache(maxsize=64)
def secret_paths(kind: str) -> tuple[Path_, ...]:
    """Config paths of `SecretStr` fields in the connector config model of `kind`."""
    try:
        model = connector_class(kind).config_model
    except ConfigError:
        return ()
    return tuple(_walk(model, ()))


def _walk(model: type[BaseModel], prefix: Path_) -> Iterator[Path_]:
    for name, field in model.model_fields.items():
        for kind in _types(field.annotation):
            if kind is SecretStr:
                yield (*prefix, name)
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _walk(kind, (*prefix, name))


def _types(annotation: Any) -> list[Any]:
    if get_origin(annotation) in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _types(arg)]
    return [annotation]


def _map_secrets(
    kind: str, config: Mapping[str, Any], change: Callable[[str], str]
) -> dict[str, Any]:
    """A copy of `config` with `change` applied to every secret string value present."""
    result: dict[str, Any] = _deep_copy(config)
    for path in secret_paths(kind):
        holder: Any = result
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and isinstance(holder.get(path[-1]), str):
            holder[path[-1]] = change(holder[path[-1]])
    return result


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep_copy(item) for item in value]
    return value


def seal_config(kind: str, config: Mapping[str, Any], box: SecretBox) -> dict[str, Any]:
    """The config as it may be stored: every clear secret sealed."""
    return _map_secrets(kind, config, box.seal)


def reseal_config(kind: str, config: Mapping[str, Any], box: SecretBox) -> dict[str, Any]:
    """The config with every secret sealed under the current first key (key rotation)."""
    return _map_secrets(kind, config, box.reseal)


def seal_for_storage(kind: str, config: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """`seal_config` with the settings' key ring, touched only if `kind` has secret fields."""
    if not secret_paths(kind):
        return dict(config)
    return seal_config(kind, config, box_for(settings))


def open_for_connector(kind: str, config: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """`open_config` with the settings' key ring, touched only if `kind` has secret fields."""
    if not secret_paths(kind):
        return dict(config)
    return open_config(kind, config, box_for(settings))


def open_config(
    kind: str, config: Mapping[str, Any], box: SecretBox, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The config a connector needs: secrets decrypted or read from the environment."""
    return _map_secrets(kind, config, lambda value: box.open(value, environ))


def masked_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The config as shown anywhere: every secret replaced by `MASK` (`env:` names kept)."""
    return _map_secrets(kind, config, lambda value: value if value.startswith(ENV_REF) else MASK)


def has_clear_secrets(kind: str, config: Mapping[str, Any]) -> bool:
    """Whether a stored config still holds a secret in clear text."""
    found: list[str] = []

    def note(value: str) -> str:
        if value and not value.startswith((SEALED, ENV_REF)):
            found.append(value)
        return value

    _map_secrets(kind, config, note)
    return bool(found)


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A server secret for one purpose (form tokens, client hashes), derived from the first key
    of the ring, so no further secret has to be configured and rotating the ring renews it."""
    return hmac.new(key_ring(settings)[0], f"familienhub:{purpose}".encode(), "sha256").digest()
