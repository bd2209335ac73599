"""Takedown notices: the DSA Art. 16(2) elements, per-platform recipients, no customer identity."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest

from tests.act.conftest import GROUP, SHOP, Fixture, key, run
from vigie.act.cases import add_to_case, create_case
from vigie.act.notice import (
    GOOD_FAITH,
    NoticeError,
    build_notices,
    render_eml,
    render_text,
    target_keys,
)
from vigie.config import ConfigError

SETTINGS = """
[notifier]
name = "Cellule cyber test"
email = "cellule@example.org"
organisation = "Office fictif"

[platforms.telegram]
name = "Telegram"
dsa_contact = "dsa-notices@example.org"
"""
CUSTOMER_TRACES = ("Karim", "Testeur", "user4242", "Lina", "user77", "55 55", "39985555")


@pytest.fixture
def configured(analysed: Fixture) -> Fixture:
    (analysed.ws.root / "vigie.toml").write_text(SETTINGS, encoding="utf-8")
    return analysed


def test_notice_answers_each_element_of_article_16_2(configured: Fixture) -> None:
    (notice,) = build_notices(configured.ws, [key("10")])
    item = notice.items[0]
    # (b) exact location: the public t.me URL with the message id, and the export reference
    assert item.location["url"] == "https://t.me/genets_bleus30/10"
    assert item.location["export_reference"]["file"] == "shop.jsonl"
    assert len(item.location["export_reference"]["evidence_sha256"]) == 64
    # (a) substantiated explanation: labels, cues with spans, offers, offence provisions
    labels = {entry["label"]: entry for entry in item.explanation["labels"]}
    assert set(labels) == {"sale", "promotion"}
    assert labels["sale"]["cues"][0] == {"term": "Jaune mousseux", "start": 2, "end": 16}
    assert item.explanation["offers"] == [
        {"product": "cannabis_resin", "quantity": 10, "unit": "g", "price": 80, "currency": "EUR"}
    ]
    assert any("222-37" in o for o in item.explanation["offences"])
    assert any("L3421-4" in o for o in item.explanation["offences"])
    # (c) notifier, (d) good faith; recipient from the platform's DSA contact
    assert notice.notifier == {
        "name": "Cellule cyber test",
        "email": "cellule@example.org",
        "organisation": "Office fictif",
    }
    assert notice.good_faith_statement == GOOD_FAITH
    assert notice.recipient["dsa_contact"] == "dsa-notices@example.org"
    assert "Article 16" in notice.legal_basis


def test_private_channel_gets_the_member_link(configured: Fixture) -> None:
    (notice,) = build_notices(configured.ws, [key("3")])
    assert notice.items[0].location["url"] == "https://t.me/c/1987650000/3"


@pytest.mark.parametrize("fmt", ["json", "text", "eml"])
def test_a_notice_never_names_customers(configured: Fixture, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"notice.{fmt}"
    result = run(
        "notice",
        f"telegram:{GROUP}",
        "--format",
        fmt,
        "-o",
        str(out),
        "-w",
        str(configured.ws.root),
    )
    assert result.exit_code == 0, result.output
    body = out.read_bytes().decode("utf-8")
    assert "https://t.me/c/555/7" in body
    for trace in CUSTOMER_TRACES:
        assert trace not in body


def test_batch_mode_covers_the_labelled_messages_of_a_case(configured: Fixture) -> None:
    case = create_case(configured.ws, "Batch")
    add_to_case(configured.ws, case.id, f"telegram:{SHOP}")
    add_to_case(configured.ws, case.id, key("3"))
    keys = target_keys(configured.ws, None, str(case.id))
    (notice,) = build_notices(configured.ws, keys)
    assert [i.msg_key for i in notice.items] == [key("10"), key("11"), key("12"), key("3")]
    text = render_text(notice)
    assert text.count("Location (Art. 16(2)(b))") == 4
    assert "Statement (Art. 16(2)(d))" in text and "Notifier (Art. 16(2)(c))" in text


def test_eml_is_addressed_to_the_platform_contact(configured: Fixture) -> None:
    (notice,) = build_notices(configured.ws, [key("12")])
    message = email.message_from_bytes(render_eml(notice), policy=policy.default)
    assert message["To"] == "Telegram <dsa-notices@example.org>"
    assert message["From"] == "Cellule cyber test <cellule@example.org>"
    attachment = next(message.iter_attachments())
    data = json.loads(attachment.get_content())
    assert data["items"][0]["explanation"]["labels"][1]["label"] == "minors"
    assert any("227-18-1" in o for o in data["items"][0]["explanation"]["offences"])


def test_offences_follow_the_configured_jurisdiction(configured: Fixture) -> None:
    path = configured.ws.root / "vigie.toml"
    path.write_text(
        SETTINGS
        + '\n[jurisdiction]\ncode = "BE"\n\n[offences]\nsale = ["Loi du 24 février 1921"]\n',
        encoding="utf-8",
    )
    (notice,) = build_notices(configured.ws, [key("10")])
    assert notice.items[0].explanation["offences"] == ["Loi du 24 février 1921"]
    path.write_text(SETTINGS + '\n[jurisdiction]\ncode = "BE"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no offence provisions for jurisdiction 'BE'"):
        build_notices(configured.ws, [key("10")])


def test_missing_notifier_or_contact_is_a_clear_error(analysed: Fixture) -> None:
    with pytest.raises(ConfigError, match=r"E150 .*notifier's name and e-mail"):
        build_notices(analysed.ws, [key("10")])
    (analysed.ws.root / "vigie.toml").write_text(
        '[notifier]\nname = "X"\nemail = "x@example.org"\n', encoding="utf-8"
    )
    (notice,) = build_notices(analysed.ws, [key("10")])
    with pytest.raises(ConfigError, match=r"\[platforms.telegram\] dsa_contact"):
        render_eml(notice)


def test_unlabelled_messages_give_no_notice(configured: Fixture) -> None:
    with pytest.raises(NoticeError, match="E167 none of these messages carries a label"):
        build_notices(configured.ws, [key("8")])
