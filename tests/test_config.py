"""Workspace settings: defaults, overrides, and one clear line per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.config import SETTINGS, TEMPLATE, ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "vigie.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.values == {s.name: s.default for s in SETTINGS}
    assert settings.platform("telegram").name == "Telegram"


def test_the_template_is_valid(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, TEMPLATE))
    assert settings["jurisdiction.code"] == "FR"


def test_values_offences_and_platforms(tmp_path: Path) -> None:
    settings = load_settings(
        write(
            tmp_path,
            """
[notifier]
name = "Cellule"
email = "cellule@example.org"
[retention]
days = 90
[offences]
sale = ["Art. X"]
[platforms.telegram]
dsa_contact = "dsa@example.org"
notice_url = "https://example.org/dsa"
""",
        )
    )
    assert settings["retention.days"] == 90 and settings["notifier.email"] == "cellule@example.org"
    assert settings.offences == {"sale": ("Art. X",)}
    assert settings.platform("telegram").dsa_contact == "dsa@example.org"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[notifier]\nemial = 'x'\n",
            "unknown setting notifier.emial; did you mean notifier.email?",
        ),
        ("[notifier]\nemail = 'not-an-address'\n", "not an e-mail address"),
        ("[retention]\ndays = 'ninety'\n", "expected a whole number"),
        ("[retention]\nage_from = 'never'\n", "choose one of ingested, posted"),
        ("[report]\ntimezone = 'Mars/Olympus'\n", "not a time zone"),
        ("[alerts]\nwebhook_url = 'ftp://x'\n", "not an http(s) URL"),
        ("[platforms.telegram]\ndsa_contact = 'nope'\n", "not an e-mail"),
        ("[platforms.telegram]\ncontact = 'x@example.org'\n", "unknown key"),
        ("[offences]\nsale = 'Art. X'\n", "expected a list of strings"),
        ("notifier = [\n", "not valid TOML"),
    ],
)
def test_mistakes_are_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    assert str(caught.value).startswith("E150 ")
    assert message in str(caught.value) and "\n" not in str(caught.value)
