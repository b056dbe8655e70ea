"""Random strings from one ``getrandom()`` call each, for the CSRF token's per-response mask.

``django.utils.crypto.get_random_string`` draws each character with ``secrets.choice``: one
``os.urandom`` call per character, and CPython releases the GIL around every one of them.
Django masks the CSRF token afresh for every page that carries it (BREACH protection; a
cached public page gets the visitor's own token at each hit), so a page cost 32 GIL
releases. Under load, with two threads per gunicorn worker, each release could leave the
request waiting for the other thread to give the GIL back (profiled in the mixed load:
~21 such calls per request on average, 2 % of the workers' wall time).

``random_string`` draws the same distribution — each character uniform over the alphabet,
independent, from the operating system's CSPRNG — from one ``secrets.token_bytes`` call:
bytes are mapped by rejection sampling (a byte at or above the largest multiple of the
alphabet's size is dropped), so no character is more likely than another.
"""

import secrets

from django.utils.crypto import RANDOM_STRING_CHARS


def random_string(length: int, allowed_chars: str = RANDOM_STRING_CHARS) -> str:
    """Like ``django.utils.crypto.get_random_string``: ``length`` characters, each uniform
    over ``allowed_chars`` (at most 256 distinct characters)."""
    size = len(allowed_chars)
    if not 0 < size <= 256:
        raise ValueError("allowed_chars must hold 1 to 256 characters")
    limit = 256 - 256 % size  # bytes below this map uniformly onto the alphabet
    chars: list[str] = []
    while len(chars) < length:
        # Enough bytes for the rest with room for the rejected ones (8 in 256 for 62
        # characters): one call almost always suffices.
        need = length - len(chars)
        for byte in secrets.token_bytes(need + need // 8 + 8):
            if byte < limit:
                chars.append(allowed_chars[byte % size])
                if len(chars) == length:
                    break
    return "".join(chars)


def install() -> None:
    """Make Django's CSRF masking draw its strings with ``random_string``."""
    from django.middleware import csrf

    csrf.get_random_string = random_string  # type: ignore[attr-defined]  # imported name in csrf
