"""Entries (params, tags) split into requests the service takes: at most its count a request, and
within its request body bound as this client sends the body (``json.dumps``: every character past
ASCII escaped, 6 or 12 bytes; a ``"`` 2), so 100 params of 6,000 non-ASCII characters go in several
requests rather than one the service refuses (413)."""

from __future__ import annotations

import json
from typing import Dict, Iterator, Sequence, Tuple

#: A request's entries keep under this: within the service's body bound (about 4.5 MB; 1 MiB before).
ENTRY_BYTES_PER_REQUEST = 960 * 1024


def entry_bytes(key: str, value: str) -> int:
    """What an entry adds to a body as this client writes it: ``"key": "value", ``."""
    return len(json.dumps(key)) + len(json.dumps(value)) + 4


def chunks(
    entries: Sequence[Tuple[str, str]], per_request: int, budget: int = ENTRY_BYTES_PER_REQUEST
) -> Iterator[Dict[str, str]]:
    """Consecutive slices of ``entries``, each of at most ``per_request`` and ``budget`` bytes (one entry at least)."""
    chunk: Dict[str, str] = {}
    size = 0
    for key, value in entries:
        cost = entry_bytes(key, value)
        if chunk and (len(chunk) >= per_request or size + cost > budget):
            yield chunk
            chunk, size = {}, 0
        chunk[key] = value
        size += cost
    if chunk:
        yield chunk
