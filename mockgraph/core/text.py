"""Echoing caller input safely: one cap on length and one escape for control characters, for bodies and headers."""

from __future__ import annotations

# Long enough for any real value (GUIDs, domain names, grant and scope names, usernames), short enough that a
# megabyte sent by a careless or hostile client comes back as a few hundred bytes.
ECHO_LIMIT = 256
# A header carries a reason sentence with an echoed value or two in it.
HEADER_LIMIT = 512
ELLIPSIS = "..."

_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _escaped(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    # C0, DEL and C1: a C1 NEL (U+0085) ends a line for some readers too.
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    if code in (0x2028, 0x2029):  # line and paragraph separators end lines in JavaScript and str.splitlines
        return f"\\u{code:04x}"
    return ch


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` with control characters escaped (``\\r``, ``\\x00``), at most ``limit`` characters long.

    A cut value ends in ``...``, and the cut never splits an escape. Only the first ``limit`` characters of
    the input are ever looked at, so the cost does not grow with what the caller sent.
    """
    if limit <= len(ELLIPSIS):
        raise ValueError(f"limit must exceed {len(ELLIPSIS)}")
    pieces: list[str] = []
    used = 0
    for index, ch in enumerate(text[: limit + 1]):
        piece = _escaped(ch)
        if used + len(piece) > limit or index == limit:
            return _cut(pieces, limit)
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces)


def _cut(pieces: list[str], limit: int) -> str:
    room = limit - len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for piece in pieces:
        if used + len(piece) > room:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + ELLIPSIS


def header_value(text: str, limit: int = HEADER_LIMIT) -> str:
    """``text`` fit for an HTTP header value: printable ASCII only (never CR or LF), at most ``limit`` long.

    Non-ASCII characters become ``\\uXXXX``-style escapes (a username in a reason may be anything).
    """
    ascii_text = clip(text, limit).encode("ascii", "backslashreplace").decode("ascii")
    return ascii_text if len(ascii_text) <= limit else clip(ascii_text, limit)
