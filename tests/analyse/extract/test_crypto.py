"""Crypto addresses: valid checksums accepted, one-character mutations rejected."""

from __future__ import annotations

import hashlib
import re

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import crypto, extract
from vigie.analyse.extract.crypto import _BECH32, _bech32_polymod, eip55, validate

GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # Bitcoin genesis block address (public)


def _b58check(version: int, payload: bytes) -> str:
    raw = bytes([version]) + payload
    return base58.b58encode(
        raw + hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    ).decode()


def _bech32(version: int, program: bytes) -> str:
    values, acc, bits = [version], 0, 0
    for byte in program:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            values.append((acc >> bits) & 31)
    if bits:
        values.append((acc << (5 - bits)) & 31)
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    const = 1 if version == 0 else 0x2BC830A3
    polymod = _bech32_polymod(hrp + values + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(_BECH32[v] for v in values + checksum)


def _mutations(address: str, start: int) -> list[str]:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    out = []
    for i in range(start, len(address)):
        for ch in alphabet[:3]:
            if ch != address[i]:
                out.append(address[:i] + ch + address[i + 1 :])
                break
    return out


@pytest.mark.parametrize(
    ("address", "coin", "form"),
    [
        (GENESIS, "btc", "p2pkh"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc", "p2sh"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "btc", "p2wpkh"),
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "btc", "p2wpkh"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "eth", "eip55"),
        ("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "eth", "hex"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "trx", "base58check"),
    ],
)
def test_known_addresses_are_accepted(address: str, coin: str, form: str) -> None:
    checked = validate(address)
    assert checked is not None and checked[0] == coin and checked[2] == form
    (entity,) = [
        e for e in extract(f"paiement BTC/ETH/USDT: {address} merci") if e.type == "crypto"
    ]
    assert entity.text == address and entity.value.startswith(coin + ":")


@pytest.mark.parametrize(
    "address",
    [
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAee",
        "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
    ],
)
def test_bad_checksums_are_rejected(address: str) -> None:
    assert validate(address) is None
    assert [e for e in extract(address) if e.type == "crypto"] == []


@settings(max_examples=40)
@given(st.binary(min_size=20, max_size=20), st.sampled_from([0, 5]))
def test_generated_base58_addresses_accepted_and_mutations_rejected(
    payload: bytes, version: int
) -> None:
    address = _b58check(version, payload)
    assert validate(address) is not None
    for mutated in _mutations(address, 1)[:8]:
        assert validate(mutated) is None


@settings(max_examples=40)
@given(st.binary(min_size=20, max_size=32).filter(lambda b: len(b) in (20, 32)))
def test_generated_segwit_addresses_accepted_and_mutations_rejected(program: bytes) -> None:
    address = _bech32(0, program)
    assert validate(address) is not None
    for i in range(4, len(address), 7):
        swapped = "q" if address[i] != "q" else "p"
        assert validate(address[:i] + swapped + address[i + 1 :]) is None


@settings(max_examples=40)
@given(st.binary(min_size=20, max_size=20))
def test_generated_eip55_addresses_accepted_and_case_mutations_rejected(raw: bytes) -> None:
    address = eip55("0x" + raw.hex())
    assert validate(address) is not None
    letters = [i for i, ch in enumerate(address) if i > 1 and ch.isalpha()]
    if len({address[i].isupper() for i in letters}) == 2:  # mixed case carries a checksum
        i = letters[0]
        flipped = address[:i] + address[i].swapcase() + address[i + 1 :]
        hex_part = flipped[2:]
        if hex_part.lower() != hex_part and hex_part.upper() != hex_part:
            assert validate(flipped) is None  # still mixed case: the checksum must fail
        else:  # the only upper-case letter flipped: all lower case carries no checksum
            assert validate(flipped) == ("eth", flipped.lower(), "hex")


def test_monero_checksum() -> None:
    from vigie.analyse.extract.crypto import _B58, _keccak256, monero_valid

    body = bytes([18]) + bytes(range(64))
    raw = body + _keccak256(body)[:4]
    chars = []
    for i in range(0, len(raw), 8):
        block = raw[i : i + 8]
        size = {8: 11, 5: 7}[len(block)]
        number = int.from_bytes(block, "big")
        encoded = ""
        for _ in range(size):
            number, digit = divmod(number, 58)
            encoded = _B58[digit] + encoded
        chars.append(encoded)
    address = "".join(chars)
    assert len(address) == 95 and monero_valid(address)
    assert validate(address) == ("xmr", address, "standard")
    assert not monero_valid(address[:50] + ("2" if address[50] != "2" else "3") + address[51:])


_LONG_TOKEN = re.compile(r"[0-9A-Za-z]{26}")  # the gate of find_crypto, which _has_long_run reads


@settings(max_examples=600, deadline=None)
@given(
    st.text(alphabet=st.sampled_from([*"aZ09 .-_", "é", "ß", "\u0661"]), max_size=80)
    | st.lists(
        st.sampled_from(
            ["a" * 13, "B" * 12, "1", " ", "é", "x" * 26, "y" * 25, "7" * 24, "\u0661", "_", "."]
        ),
        max_size=8,
    ).map("".join)
)
def test_long_token_gate_is_the_regex(text: str) -> None:
    assert crypto._has_long_run(text) == (_LONG_TOKEN.search(text) is not None)
