"""Workspace settings: ``vigie.toml`` in the workspace folder, one table of named settings.

Every scalar setting is a row of :data:`SETTINGS` (dotted name, default, help, kind) and is
validated at load: an unknown key, a wrong type, a malformed e-mail or URL stops with one line
(``E150 …``) that names the key and says what to write. Two free-form tables complete it:

- ``[offences]``: label -> list of legal provisions, replacing the built-in list of the
  ``jurisdiction.code`` for that label (takedown notices cite them);
- ``[platforms.NAME]``: ``name``, ``dsa_contact`` (e-mail of the platform's DSA notice point),
  ``notice_url`` (its web form) — the recipients of takedown notices.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vigie.errors import VigieError

SETTINGS_FILE = "vigie.toml"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


class ConfigError(VigieError):
    """``vigie.toml`` is unreadable or a setting has a wrong value."""

    code = "E150"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: str = "str"  # str, int, float, email, url, zone, choice
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("notifier.name", None, "Name of the person or body sending takedown notices."),
    Setting("notifier.email", None, "E-mail of the notifier (DSA Art. 16(2)(c)).", "email"),
    Setting("notifier.organisation", None, "Organisation of the notifier, printed on notices."),
    Setting(
        "jurisdiction.code",
        "FR",
        "Jurisdiction whose offence provisions notices cite (built-in: FR, EU).",
    ),
    Setting("report.timezone", "Europe/Paris", "Local time zone shown beside UTC.", "zone"),
    Setting("retention.days", None, "Delete messages in no case after this many days.", "int"),
    Setting(
        "retention.age_from",
        "ingested",
        "Count the age of a message from when it was ingested or when it was posted.",
        "choice",
        ("ingested", "posted"),
    ),
    Setting("alerts.webhook_url", None, "POST new alerts as JSON to this URL.", "url"),
    Setting("alerts.webhook_retries", 4, "Retries of a failed webhook delivery.", "int"),
    Setting("alerts.webhook_timeout", 10.0, "Seconds before a webhook request gives up.", "float"),
    Setting("alerts.webhook_backoff", 0.5, "First retry delay in seconds (doubles).", "float"),
    Setting("state.url", None, "SQLAlchemy URL of the workflow state (default: vigie.db)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}
_PLATFORM_KEYS = ("name", "dsa_contact", "notice_url")


@dataclass(frozen=True)
class Platform:
    """A platform's DSA notice point: the recipient of takedown notices."""

    key: str
    name: str
    dsa_contact: str | None = None
    notice_url: str | None = None


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any]
    offences: dict[str, tuple[str, ...]] = field(default_factory=dict)
    platforms: dict[str, Platform] = field(default_factory=dict)
    path: Path | None = None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def platform(self, key: str) -> Platform:
        return self.platforms.get(key) or Platform(key, key.capitalize())

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.values,
            "offences": {k: list(v) for k, v in self.offences.items()},
            "platforms": {k: vars(p) for k, p in self.platforms.items()},
        }


def _fail(path: Path, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}")


def _check(path: Path, setting: Setting, value: Any) -> Any:
    """The value converted to the setting's kind, or a ConfigError that says what to write."""
    where = f"{setting.name} = {value!r}"
    if setting.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(path, f"{where}: expected a whole number >= 0")
        return value
    if setting.kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise _fail(path, f"{where}: expected a number >= 0")
        return float(value)
    if not isinstance(value, str):
        raise _fail(path, f"{where}: expected a string in quotes")
    if setting.kind == "email" and not _EMAIL.match(value):
        raise _fail(path, f"{where}: not an e-mail address (name@example.org)")
    if setting.kind == "url" and not _URL.match(value):
        raise _fail(path, f"{where}: not an http(s) URL")
    if setting.kind == "choice" and value not in setting.choices:
        raise _fail(path, f"{where}: choose one of {', '.join(setting.choices)}")
    if setting.kind == "zone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail(path, f"{where}: not a time zone (e.g. Europe/Paris)") from None
    return value


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in ("offences", "platforms"):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _offences(path: Path, raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise _fail(path, "[offences] must be a table of label = [provisions]")
    out: dict[str, tuple[str, ...]] = {}
    for label, provisions in raw.items():
        if not isinstance(provisions, list) or not all(isinstance(p, str) for p in provisions):
            raise _fail(path, f"offences.{label}: expected a list of strings")
        out[label] = tuple(provisions)
    return out


def _platforms(path: Path, raw: Any) -> dict[str, Platform]:
    if not isinstance(raw, dict):
        raise _fail(path, "[platforms.NAME] tables expected (e.g. [platforms.telegram])")
    out: dict[str, Platform] = {}
    for key, table in raw.items():
        if not isinstance(table, dict):
            raise _fail(path, f"platforms.{key}: expected a table")
        unknown = sorted(set(table) - set(_PLATFORM_KEYS))
        if unknown:
            raise _fail(path, f"platforms.{key}.{unknown[0]}: unknown key; use {_PLATFORM_KEYS}")
        contact = table.get("dsa_contact")
        if contact is not None and not (isinstance(contact, str) and _EMAIL.match(contact)):
            raise _fail(path, f"platforms.{key}.dsa_contact = {contact!r}: not an e-mail")
        url = table.get("notice_url")
        if url is not None and not (isinstance(url, str) and _URL.match(url)):
            raise _fail(path, f"platforms.{key}.notice_url = {url!r}: not an http(s) URL")
        out[key] = Platform(key, str(table.get("name") or key.capitalize()), contact, url)
    return out


def load_settings(root: Path) -> Settings:
    """Settings of the workspace at ``root``: defaults overlaid with ``vigie.toml`` if present."""
    path = root / SETTINGS_FILE
    values = {s.name: s.default for s in SETTINGS}
    if not path.exists():
        return Settings(values)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not valid TOML ({exc}); fix the file or remove it") from None
    flat = _flatten(data)
    offences = _offences(path, flat.pop("offences", {}))
    platforms = _platforms(path, flat.pop("platforms", {}))
    for name, value in flat.items():
        setting = _BY_NAME.get(name)
        if setting is None:
            close = get_close_matches(name, list(_BY_NAME), n=1)
            hint = f"; did you mean {close[0]}?" if close else "; see `vigie config show`"
            raise _fail(path, f"unknown setting {name}{hint}")
        values[name] = _check(path, setting, value)
    return Settings(values, offences, platforms, path)


TEMPLATE = """\
# Vigie workspace settings. Every key is optional; `vigie config show` prints the values in force.

[notifier]            # who sends takedown notices (DSA Art. 16(2)(c))
# name = "Cellule cyber - Office anti-stupéfiants"
# email = "signalements@example.org"
# organisation = ""

[jurisdiction]
code = "FR"           # offence provisions cited in notices; override per label in [offences]

[report]
timezone = "Europe/Paris"

# [retention]
# days = 365           # delete messages that are in no case after this many days
# age_from = "ingested"

# [alerts]
# webhook_url = "https://alerts.example.org/vigie"

# [offences]
# sale = ["Code pénal, art. 222-37"]

# [platforms.telegram]
# name = "Telegram"
# dsa_contact = "dsa-notices@example.org"   # the platform's DSA contact point
"""


__all__ = ["SETTINGS", "ConfigError", "Platform", "Setting", "Settings", "load_settings"]
