"""MinHash signatures and LSH band keys over normalised word shingles, vectorised with numpy.

Ad copy is normalised before shingling so that a copied menu still matches when its prices,
emojis' variation selectors or stylised letters changed: NFKC (𝐌𝐄𝐍𝐔 -> MENU), case folding,
accents removed, every number replaced by ``0``. Shingles are ``k`` consecutive tokens; their
hashes are stable across processes (CRC-32 of the token, mixed by odd multipliers), so a
signature computed on one machine matches one computed on another.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_SHINGLE_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53],
    dtype=np.uint64,
)  # fmt: skip


def normalise_copy(text: str) -> list[str]:
    """Tokens of ``text`` for near-duplicate detection (numbers -> "0", no accents, folded)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    # drop accents, emoji variation selectors and zero-width joiners before tokenising
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return ["0" if token.isdigit() else token for token in _TOKEN.findall(folded)]


def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands × rows (b·r ≤ num_perm) that best separate pairs above and below ``threshold``.

    Minimises false-positive plus false-negative probability mass of the LSH S-curve
    ``1 - (1 - s^r)^b``, as datasketch does, by numerical integration.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be between 0 and 1")
    grid_low = np.linspace(0.0, threshold, 200)
    grid_high = np.linspace(threshold, 1.0, 200)
    best, best_err = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = np.trapezoid(1 - (1 - grid_low**rows) ** bands, grid_low)
            fn = np.trapezoid((1 - grid_high**rows) ** bands, grid_high)
            if fp + fn < best_err:
                best, best_err = (bands, rows), float(fp + fn)
    return best


@dataclass(frozen=True)
class MinHasher:
    """Signatures of ``num_perm`` 32-bit minima; ``band_keys`` for LSH at ``threshold``.

    Pure and picklable: the permutations are derived from ``seed`` at each call.
    """

    num_perm: int = 64
    threshold: float = 0.5
    shingle: int = 3
    min_tokens: int = 8
    seed: int = 1
    name: str = "link.minhash"
    version: int = 1

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        a = rng.integers(1, 2**63, size=self.num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(
            1
        )
        b = rng.integers(0, 2**63, size=self.num_perm, dtype=np.uint64)
        return a, b

    def usable(self, tokens: Sequence[str]) -> bool:
        return len(tokens) >= self.min_tokens

    def shingle_hashes(self, docs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(hashes, owner) for every shingle of every doc, owners ascending."""
        cache: dict[str, int] = {}
        token_hashes: list[int] = []
        owners: list[int] = []
        for i, tokens in enumerate(docs):
            for token in tokens:
                h = cache.get(token)
                if h is None:
                    h = cache[token] = zlib.crc32(token.encode("utf-8")) | (len(token) << 32)
                token_hashes.append(h)
                owners.append(i)
        th = np.asarray(token_hashes, dtype=np.uint64)
        ow = np.asarray(owners, dtype=np.int64)
        k = self.shingle
        if th.size < k:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        n = th.size - k + 1
        combined = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k):
                combined += th[j : j + n] * _SHINGLE_MIX[j % len(_SHINGLE_MIX)]
        same_doc = ow[:n] == ow[k - 1 :]
        return combined[same_doc], ow[:n][same_doc]

    def signatures(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """An ``len(docs) × num_perm`` uint32 matrix. Every doc needs ≥ ``shingle`` tokens."""
        hashes, owners = self.shingle_hashes(docs)
        if len(docs) == 0:
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        present = np.unique(owners)
        if present.size != len(docs):
            raise ValueError(f"every document needs at least {self.shingle} tokens")
        starts = np.searchsorted(owners, np.arange(len(docs)))
        a, b = self._params()
        sig = np.empty((len(docs), self.num_perm), dtype=np.uint32)
        chunk = max(1, 4_000_000 // max(1, self.num_perm))  # bounded scratch memory
        # split the shingles by whole documents so reduceat sees complete segments
        doc = 0
        while doc < len(docs):
            lo = int(starts[doc])
            end_doc = int(np.searchsorted(starts, lo + chunk, side="right"))
            end_doc = max(end_doc, doc + 1)
            hi = int(starts[end_doc]) if end_doc < len(docs) else hashes.size
            with np.errstate(over="ignore"):
                values = (hashes[lo:hi, None] * a[None, :] + b[None, :]) >> np.uint64(32)
            sig[doc:end_doc] = np.minimum.reduceat(values, starts[doc:end_doc] - lo, axis=0)
            doc = end_doc
        return sig

    def bands(self) -> tuple[int, int]:
        return optimal_bands(self.threshold, self.num_perm)

    def band_keys(self, sig: np.ndarray) -> np.ndarray:
        """``n × bands`` uint64 bucket keys; equal key in a band = candidate pair."""
        n_bands, rows = self.bands()
        mix = np.random.default_rng(self.seed + 7).integers(
            1, 2**63, size=rows, dtype=np.uint64
        ) * np.uint64(2) + np.uint64(1)
        keys = np.empty((sig.shape[0], n_bands), dtype=np.uint64)
        wide = sig.astype(np.uint64)
        with np.errstate(over="ignore"):
            for band in range(n_bands):
                part = wide[:, band * rows : (band + 1) * rows]
                keys[:, band] = (part * mix[None, :]).sum(axis=1, dtype=np.uint64) + np.uint64(band)
        return keys


def jaccard_estimate(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise share of equal minima: an unbiased estimate of Jaccard similarity."""
    return np.asarray((left == right).mean(axis=1), dtype=np.float64)
