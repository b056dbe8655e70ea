"""Stored texts in the reader's language: a message is kept as a **key and parameters**,
never as a sentence in one language, and rendered when someone reads it.

An app declares its texts once, in its ``texts.py`` (found at start-up, like ``admin.py``)::

    from django.utils.translation import gettext_noop as N
    from xinfeng.notifications.texts import define

    ORDER_APPROVED = define("orders.approved", N("您的点单已受理：%(t)s"))

and sends ``notify(title=ORDER_APPROVED(t=order.title), ...)``. The Chinese source string
is the gettext msgid, so the English lives in the app's ordinary catalog. The inbox, the
API and outside channels render the message in the reader's language
(:func:`render`); a key no longer defined, or parameters that no longer fit, fall back to
the text stored beside it (written in the site's default language when sent). A parameter
may itself be a message (say, a state label); user content (a title, a reason typed by a
person, a place name) is passed as plain text and shown as written.

Stored form (JSON): ``{"k": "orders.approved", "p": {"t": "帮忙体检"}}``; a nested message
parameter is the same shape.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

# key → Chinese source string (the msgid)
REGISTRY: dict[str, str] = {}


class Message:
    """One translatable text: a registered ``key`` and its ``params``."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        if key not in REGISTRY:
            raise KeyError(f"undefined text key: {key}")
        self.key, self.params = key, params

    def to_json(self) -> dict:
        return {"k": self.key, "p": {n: _param_json(v) for n, v in self.params.items()}}

    def render(self) -> str:
        """The text in the active language."""
        return render(self.to_json())

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.key!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]


class Text:
    """A defined text; call it with the parameters to get a :class:`Message`."""

    __slots__ = ("key", "source")

    def __init__(self, key: str, source: str) -> None:
        self.key, self.source = key, source

    def __call__(self, **params: Any) -> Message:
        return Message(self.key, **params)

    def __str__(self) -> str:  # a parameterless text used directly
        return gettext(self.source)


def define(key: str, source: str) -> Text:
    """Register ``key`` with its Chinese source string (mark it with ``gettext_noop`` so
    the catalog has it). Defining one key twice with different text is an error."""
    if REGISTRY.get(key, source) != source:
        raise ValueError(f"text key {key!r} is already defined differently")
    REGISTRY[key] = source
    return Text(key, source)


def _param_json(value: Any):
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, Text):
        return value().to_json()
    if isinstance(value, (int, float)) or value is None:
        return value
    return str(value)


def _param_value(value: Any):
    if isinstance(value, dict) and "k" in value:
        return render(value)
    return "" if value is None else value


def render(data: dict | None, fallback: str = "") -> str:
    """The stored message ``data`` in the active language; ``fallback`` when there is no
    message or it cannot be rendered any more (unknown key, parameters that do not fit)."""
    if not data or not isinstance(data, dict):
        return fallback
    source = REGISTRY.get(data.get("k", ""))
    if source is None:
        return fallback
    params = data.get("p") or {}
    try:
        return gettext(source) % {n: _param_value(v) for n, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return fallback


def in_default_language(message: Message | str) -> str:
    """The text as stored beside its key: in the site's default language."""
    if not isinstance(message, Message):
        return str(message)
    with translation.override(settings.LANGUAGE_CODE):
        return message.render()


def to_message(value) -> tuple[str, dict | None]:
    """``(text in the default language, stored message or None)`` for a ``str`` or a
    :class:`Message` / :class:`Text`."""
    if isinstance(value, Text):
        value = value()
    if isinstance(value, Message):
        return in_default_language(value), value.to_json()
    return str(value or ""), None


# --- reading old rows back into keys ------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd]|\.\d+f)")


@lru_cache(maxsize=1024)
def _pattern(source: str) -> re.Pattern:
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(source):
        out.append(re.escape(source[pos : m.start()]))
        kind = m.group(2)
        body = r"-?\d+" if kind == "d" else (r"-?\d+(?:\.\d+)?" if kind.endswith("f") else ".+?")
        out.append(f"(?P<{m.group(1)}>{body})")
        pos = m.end()
    out.append(re.escape(source[pos:]))
    return re.compile("".join(out) + r"\Z", re.S)


def parse(text: str, keys: list[str] | None = None) -> dict | None:
    """The stored message for an old row's ``text`` written in Chinese by a defined text
    (first match among ``keys``, default all), or ``None``. Used once to migrate rows sent
    before texts were stored as keys; the old text stays as the fallback."""
    if not text:
        return None
    for key in keys if keys is not None else sorted(REGISTRY):
        source = REGISTRY[key]
        m = _pattern(source).match(text)
        if m is None:
            continue
        params: dict[str, Any] = {}
        for name, value in m.groupdict().items():
            kind = re.search(rf"%\({name}\)([sd]|\.\d+f)", source).group(1)
            params[name] = (
                int(value) if kind == "d" else float(value) if kind.endswith("f") else value
            )
        return {"k": key, "p": params}
    return None
