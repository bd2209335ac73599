"""Cryptocurrency addresses, kept only when their checksum is valid.

- Bitcoin: base58check P2PKH (``1…``, version 0x00) and P2SH (``3…``, 0x05); bech32 (BIP-173,
  segwit v0) and bech32m (BIP-350, v1+, taproot) ``bc1…``;
- Ethereum (and ERC-20 USDT): ``0x`` + 40 hex digits; mixed case must satisfy EIP-55 (Keccak-256
  of the lower-case hex), all-lower or all-upper carries no checksum and is accepted;
- TRON (USDT-TRC20): base58check ``T…`` with version 0x41;
- Monero: 95-character standard (``4…``) or subaddress (``8…``) in Monero's block base58, with a
  4-byte Keccak-256 checksum.

Values are ``<coin>:<address>`` (``btc:1A1z…``, ``eth:0x…`` lower-case, ``trx:T…``, ``xmr:4…``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

import base58
from Crypto.Hash import keccak

from vigie.analyse.extract.doc import Doc
from vigie.model import Entity

__all__ = [
    "bech32_address",
    "eip55",
    "find_crypto",
    "monero_valid",
    "validate",
]

_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX: Final = {ch: i for i, ch in enumerate(_B58)}
_BECH32: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX: Final = {ch: i for i, ch in enumerate(_BECH32)}
_BECH32M_CONST: Final = 0x2BC830A3
_CANDIDATES: Final = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<eth>0x[0-9a-fA-F]{40})"
    r"|(?P<bech>(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,71})"
    r"|(?P<b58>[13T48][1-9A-HJ-NP-Za-km-z]{25,94})"
    r")(?![0-9A-Za-z])"
)
_RUN: Final = 26  # find_crypto's gate: a run of 26 ASCII letters or digits (_has_long_run)
_MONERO_BLOCK: Final = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}  # chars -> bytes


def _has_long_run(text: str) -> bool:
    """``re.search(r"[0-9A-Za-z]{26}", text) is not None``: 26 ASCII letters or digits in a row.

    The gate of find_crypto (every address but the rare bech32 ones under 26 characters holds
    such a run; those are skipped, as they always were). Looked for with skips: when the last character
    of a 26-character window is not one, no run goes through it and the next window ends 26
    characters further; otherwise the window is read backwards to its first non-alnum
    character, after which the next window starts. A text of short words is decided from
    about one character in 20 instead of an encode, a translate and a search of all of it."""
    size = len(text)
    end = _RUN - 1  # last offset of the window
    while end < size:
        ch = ord(text[end])
        if not (48 <= ch <= 57 or 65 <= ch <= 90 or 97 <= ch <= 122):
            end += _RUN
            continue
        at = end - 1
        first = end - _RUN + 1
        while at >= first:
            ch = ord(text[at])
            if not (48 <= ch <= 57 or 65 <= ch <= 90 or 97 <= ch <= 122):
                break
            at -= 1
        if at < first:
            return True
        end = at + _RUN  # the next window starts right after the non-alnum character
    return False


def _keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def _base58check(address: str) -> bytes | None:
    try:
        raw = base58.b58decode(address)
    except ValueError:
        return None
    if len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def bech32_address(address: str) -> str | None:
    """``"p2wpkh"``/``"p2wsh"``/``"p2tr"``/``"segwit"`` for a valid ``bc1`` address, else None."""
    if address.lower() != address and address.upper() != address:
        return None
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    if hrp != "bc" or len(data) < 7 or any(ch not in _BECH32_INDEX for ch in data):
        return None
    values = [_BECH32_INDEX[ch] for ch in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    const = _bech32_polymod(expanded + values)
    version = values[0]
    if (version == 0 and const != 1) or (version > 0 and const != _BECH32M_CONST) or version > 16:
        return None
    program, acc, bits = [], 0, 0
    for value in values[1:-6]:  # 5-bit groups -> bytes
        acc = (acc << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            program.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc & ((1 << bits) - 1)):
        return None
    if not 2 <= len(program) <= 40:
        return None
    if version == 0:
        return {20: "p2wpkh", 32: "p2wsh"}.get(len(program))
    return "p2tr" if version == 1 and len(program) == 32 else "segwit"


def eip55(address: str) -> str:
    """The EIP-55 checksummed form of a ``0x`` Ethereum address."""
    hex_part = address[2:].lower()
    digest = _keccak256(hex_part.encode("ascii")).hex()
    return "0x" + "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch
        for i, ch in enumerate(hex_part)
    )


def _monero_decode(address: str) -> bytes | None:
    out = bytearray()
    for i in range(0, len(address), 11):
        block = address[i : i + 11]
        size = _MONERO_BLOCK.get(len(block))
        if size is None:
            return None
        number = 0
        for ch in block:
            number = number * 58 + _B58_INDEX[ch]
        if number >= 1 << (8 * size):
            return None
        out += number.to_bytes(size, "big")
    return bytes(out)


def monero_valid(address: str) -> bool:
    """True for a 95-character Monero standard address or subaddress with a valid checksum."""
    if len(address) != 95 or address[0] not in "48":
        return False
    raw = _monero_decode(address)
    if raw is None or len(raw) != 69 or raw[0] not in (18, 42):
        return False
    return _keccak256(raw[:65])[:4] == raw[65:]


def validate(address: str) -> tuple[str, str, str] | None:
    """``(coin, canonical address, format)`` when ``address`` is a valid address, else None."""
    if address.startswith("0x") and len(address) == 42:
        hex_part = address[2:]
        if hex_part.lower() != hex_part and hex_part.upper() != hex_part:
            if eip55(address) != address:
                return None
            return "eth", address.lower(), "eip55"
        return "eth", address.lower(), "hex"
    if address[:3].lower() == "bc1":
        kind = bech32_address(address)
        return ("btc", address.lower(), kind) if kind else None
    first = address[0]
    if first in "48" and len(address) == 95:
        return (
            ("xmr", address, "standard" if first == "4" else "subaddress")
            if (monero_valid(address))
            else None
        )
    if first in "13" and 26 <= len(address) <= 35:
        payload = _base58check(address)
        if payload is None or len(payload) != 21:
            return None
        if payload[0] == 0 and first == "1":
            return "btc", address, "p2pkh"
        if payload[0] == 5 and first == "3":
            return "btc", address, "p2sh"
        return None
    if first == "T" and len(address) == 34:
        payload = _base58check(address)
        if payload is not None and len(payload) == 21 and payload[0] == 0x41:
            return "trx", address, "base58check"
    return None


def find_crypto(doc: Doc) -> list[Entity]:
    """``crypto`` entities of the original text (value ``<coin>:<address>``)."""
    text = doc.text
    if not _has_long_run(text):
        return []
    found: list[Entity] = []
    for match in _CANDIDATES.finditer(text):
        checked = validate(match.group())
        if checked is None:
            continue
        coin, address, form = checked
        found.append(
            doc.raw_entity(
                "crypto",
                f"{coin}:{address}",
                match.start(),
                match.end(),
                {"coin": coin, "format": form},
            )
        )
    return found
