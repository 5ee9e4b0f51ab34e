"""The content hash parrules stamps on what it read: "sha256:<hex>".

A result names every file it was computed from by this hash, so a published figure can be traced to
the exact bytes of the set, the submission and the data; one function makes every such stamp.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

PREFIX = "sha256:"


def sha256_digest(content: bytes | bytearray | memoryview | Iterable[bytes]) -> str:
    """'sha256:<hex>' of bytes, or of pieces (a file read in blocks) without holding them all."""
    hasher = hashlib.sha256()
    if isinstance(content, (bytes, bytearray, memoryview)):
        hasher.update(content)
    else:
        for piece in content:
            hasher.update(piece)
    return PREFIX + hasher.hexdigest()
