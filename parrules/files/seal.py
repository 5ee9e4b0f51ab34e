"""The seal on a campaign JSON parrules wrote: its SHA-256, stamped as the document's last key.

`parrules report X.json` must not trust a file a person may have edited: it checks every value
against the campaign schema and the bounds of a PAR figure before rendering. For the file exactly
as a run wrote it, that check can only repeat what the writer already guaranteed, and at 10,000
units it costs far more than reading and rendering. The seal lets a reader tell the two apart for
the price of one hash: the writer appends `"seal":"sha256:<hex>"` — the digest of the document
without that member — and the reader recomputes it over the bytes it read. Any change to any byte
(a figure, a name, re-indenting, a byte-order mark) breaks the match, and the file is then checked in
full as before; so is a file with no seal.

The seal is a checksum, not a signature: it recognises bytes parrules wrote, it does not prove who
wrote them. Someone who rewrites a file and computes a new digest on purpose gets the same fast path
a run gets — and a report of the figures they wrote, which is all a checked file gives either.

The member is written last, after the closing of the sorted keys, so the writer can stream the
document and emit the seal once it has hashed every byte (no placeholder to patch), and the reader
finds it at a fixed distance from the end of the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from parrules.files.digest import PREFIX

SEAL_KEY = "seal"
"""The campaign JSON's key that holds the seal (the document's last member)."""

_HEX = frozenset(b"0123456789abcdef")
_OPEN = b',"' + SEAL_KEY.encode() + b'":"' + PREFIX.encode()
_CLOSE = b'"}\n'
_LENGTH = len(_OPEN) + 64 + len(_CLOSE)  # the member, the document's closing brace and its newline
_END = b"}\n"  # how every JSON document parrules writes ends


def sealed(chunks: Iterable[bytes | bytearray | memoryview]) -> Iterator[bytes | memoryview]:
    """The pieces of a JSON object, passed on as they come, with the seal added before its closing brace.

    `chunks` must join to one JSON object ending in `}` and a newline, as parrules writes them; the
    pieces are hashed as they go by, so a streamed document is sealed without being held whole.
    """
    hasher = hashlib.sha256()
    held: bytes | bytearray | memoryview | None = None
    for chunk in chunks:
        if held is not None:
            yield held
        hasher.update(chunk)
        held = chunk
    last = bytes(held or b"")
    if not last.endswith(_END):
        raise ValueError("only a JSON object ending in '}' and a newline can be sealed")
    yield last[:-len(_END)]
    yield _member(hasher.hexdigest())


def seal_bytes(document: bytes) -> bytes:
    """`document` (a JSON object ending in `}` and a newline) with its seal."""
    return b"".join(sealed([document]))


def is_sealed(raw: bytes) -> bool:
    """Whether `raw` ends in a seal that matches the bytes before it: the file as parrules wrote it."""
    if len(raw) <= _LENGTH + 1 or not raw.endswith(_CLOSE):
        return False
    start = len(raw) - _LENGTH
    if raw[start:start + len(_OPEN)] != _OPEN:
        return False
    digest = raw[start + len(_OPEN):-len(_CLOSE)]
    if not _HEX.issuperset(digest):
        return False
    hasher = hashlib.sha256(memoryview(raw)[:start])
    hasher.update(_END)
    return hasher.hexdigest().encode() == digest


def _member(hexdigest: str) -> bytes:
    return _OPEN + hexdigest.encode() + _CLOSE
