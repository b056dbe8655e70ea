"""Show-if conditions ("relevant" in XLSForm terms), a small safe subset of XPath.

Supported: ``${q} = 'key'``, ``${q} != 'key'``, ``${q} > 3`` (``>= < <=``),
``selected(${q}, 'key')``, ``not(...)``, parentheses, joined by ``and`` / ``or``.
``${q}`` must name an **earlier** question. Anything else is refused with a message naming
what was not understood; the parser never evaluates code.

``parse(text, earlier)`` returns a tree; ``evaluate(tree, values)`` answers whether the
question shows, given the answers so far (``values``: name → str, list of str, float or
None). A condition on an unanswered (or hidden) question is false, except ``= ''``.
"""

import re

from django.utils.translation import gettext as _

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[^}]*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|>=|<=|=|>|<)|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_-]*))"
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class RelevantError(ValueError):
    """A condition the parser does not accept; ``str()`` is the message for people."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RelevantError(_("无法理解“%(rest)s”。") % {"rest": text[pos:].strip()[:30]})
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, earlier: set[str]):
        self.toks = _tokens(text)
        self.i = 0
        self.earlier = earlier

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self, kind=None, value=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            want = value or {"ref": "${题目名}", "str": _("选项值"), "op": _("比较符")}.get(
                kind or "", kind or ""
            )
            got = tok[1] or _("结尾")
            raise RelevantError(
                _("此处应为 %(want)s，却是“%(got)s”。") % {"want": want, "got": got}
            )
        self.i += 1
        return tok

    def parse(self):
        tree = self.or_expr()
        if self.peek()[0] != "end":
            raise RelevantError(_("多余的内容“%(rest)s”。") % {"rest": self.peek()[1]})
        return tree

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek() == ("word", "or"):
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def and_expr(self):
        parts = [self.unary()]
        while self.peek() == ("word", "and"):
            self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def ref(self) -> str:
        name = self.take("ref")[1][2:-1].strip()
        if not _NAME.match(name):
            raise RelevantError(_("题目名“%(name)s”不合规。") % {"name": name})
        if name not in self.earlier:
            raise RelevantError(_("引用的题目“%(name)s”不存在或不在本题之前。") % {"name": name})
        return name

    def literal(self):
        kind, value = self.peek()
        if kind == "str":
            self.i += 1
            return value[1:-1]
        if kind == "num":
            self.i += 1
            return float(value)
        raise RelevantError(
            _("此处应为选项值（加引号）或数字，却是“%(got)s”。") % {"got": value or _("结尾")}
        )

    def unary(self):
        kind, value = self.peek()
        if kind == "punct" and value == "(":
            self.i += 1
            tree = self.or_expr()
            self.take("punct", ")")
            return tree
        if kind == "word" and value == "not":
            self.i += 1
            self.take("punct", "(")
            tree = self.or_expr()
            self.take("punct", ")")
            return ("not", tree)
        if kind == "word" and value == "selected":
            self.i += 1
            self.take("punct", "(")
            name = self.ref()
            self.take("punct", ",")
            lit = self.literal()
            self.take("punct", ")")
            return ("selected", name, str(lit) if not isinstance(lit, float) else _num_text(lit))
        if kind == "word":
            raise RelevantError(
                _("不支持的函数或写法“%(word)s”（只支持 selected、not、and、or）。")
                % {"word": value}
            )
        name = self.ref()
        op = self.take("op")[1]
        return ("cmp", name, op, self.literal())


def _num_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def parse(text: str, earlier) -> tuple | None:
    """The condition's tree, or None for an empty condition; ``RelevantError`` otherwise."""
    if not (text or "").strip():
        return None
    return _Parser(text, set(earlier)).parse()


def references(tree) -> set[str]:
    if tree is None:
        return set()
    if tree[0] in ("and", "or"):
        return set().union(*(references(t) for t in tree[1]))
    if tree[0] == "not":
        return references(tree[1])
    return {tree[1]}


def _compare(value, op: str, lit) -> bool:
    if value is None or value == "" or value == []:
        if lit == "":
            return op == "="
        return op == "!=" and lit != ""
    if isinstance(value, list):
        value = " ".join(value)
    if isinstance(lit, float):
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        return {
            "=": v == lit,
            "!=": v != lit,
            ">": v > lit,
            ">=": v >= lit,
            "<": v < lit,
            "<=": v <= lit,
        }[op]
    v = _num_text(value) if isinstance(value, float) else str(value)
    if op == "=":
        return v == lit
    if op == "!=":
        return v != lit
    return False


def evaluate(tree, values: dict) -> bool:
    if tree is None:
        return True
    kind = tree[0]
    if kind == "and":
        return all(evaluate(t, values) for t in tree[1])
    if kind == "or":
        return any(evaluate(t, values) for t in tree[1])
    if kind == "not":
        return not evaluate(tree[1], values)
    if kind == "selected":
        value = values.get(tree[1])
        if isinstance(value, list):
            return tree[2] in value
        return value is not None and str(value) == tree[2]
    return _compare(values.get(tree[1]), tree[2], tree[3])
