"""Writes to indicator schemes: create, add a node, publish, copy to a new version, and
the Excel round trip (export and import of the tree)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.core.spreadsheet import (
    add_sheet,
    append_row,
    new_workbook,
    read_xlsx_rows,
    workbook_bytes,
)
from xinfeng.core.validation import full_clean_or_raise

from .. import policy
from ..choices import AssessedLevel, Method, NodeKind, Rule
from ..metrics import METRICS
from ..models import Node, Scheme

PARENT_KIND = {
    NodeKind.INDICATOR: None,
    NodeKind.CONTENT: NodeKind.INDICATOR,
    NodeKind.STANDARD: NodeKind.CONTENT,
}
COLUMNS = [
    "code",
    "kind",
    "title",
    "points",
    "level",
    "method",
    "rule",
    "metric",
    "target",
    "cap",
    "per_unit",
]
MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _require_edit(actor, scheme: Scheme) -> None:
    if not policy.may_edit_scheme(actor, scheme):
        raise PermissionDenied()
    if scheme.published_at is not None:
        raise Conflict(_("已发布的指标体系不能修改，请生成新版本。"), code="published")


@transaction.atomic
def scheme_create(*, actor, region, year: int, title: str) -> Scheme:
    if not policy.may_record(actor, region):
        raise PermissionDenied()
    last = Scheme.objects.filter(region=region, year=year).aggregate(v=Max("version"))["v"] or 0
    scheme = Scheme(
        region=region, year=year, title=title.strip(), version=last + 1, created_by=actor
    )
    full_clean_or_raise(scheme)
    scheme.save()
    return scheme


def _dec(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationFailed(
            _("%(f)s 应为数字。") % {"f": field}, code="invalid", fields={field: [_("应为数字。")]}
        ) from exc
    if not d.is_finite() or d < 0:
        raise ValidationFailed(
            _("%(f)s 应为非负数。") % {"f": field},
            code="invalid",
            fields={field: [_("应为非负数。")]},
        )
    return d


def _check_standard(data: dict) -> None:
    errors = {}
    if not data.get("points") or data["points"] <= 0:
        errors["points"] = [_("标准须有大于 0 的分值。")]
    if data.get("level") not in AssessedLevel.values:
        errors["level"] = [_("请选择考核对象。")]
    if data.get("method") not in Method.values:
        errors["method"] = [_("请选择考核方式。")]
    if data.get("rule") not in Rule.values:
        errors["rule"] = [_("请选择计分规则。")]
    if data.get("method") == Method.AUTOMATIC:
        if data.get("metric") not in METRICS:
            errors["metric"] = [_("自动计算的标准须选择平台指标。")]
        elif data.get("level") not in METRICS[data["metric"]]["levels"]:
            errors["metric"] = [_("该平台指标不能用于这一考核对象。")]
        if data.get("rule") not in (Rule.RATIO, Rule.DEDUCTION, Rule.YESNO):
            errors["rule"] = [_("自动计算的标准不能按档次计分。")]
    if data.get("rule") == Rule.DEDUCTION and not data.get("per_unit"):
        errors["per_unit"] = [_("扣分规则须填写每项扣分。")]
    if errors:
        raise ValidationFailed(
            "；".join(m for ms in errors.values() for m in ms),
            code="invalid_standard",
            fields=errors,
        )


def _node(
    scheme: Scheme,
    *,
    parent_code: str | None,
    kind: str,
    code: str,
    title: str,
    position: int,
    **std,
) -> Node:
    if kind not in NodeKind.values:
        raise ValidationFailed(_("未知的层级：%(k)s") % {"k": kind}, code="invalid_kind")
    parent = None
    if parent_code:
        parent = scheme.nodes.filter(code=parent_code).first()
    want = PARENT_KIND[kind]
    if (want is None) != (parent is None) or (parent is not None and parent.kind != want):
        raise ValidationFailed(
            _("%(code)s：指标在最上层，内容在指标下，标准在内容下。") % {"code": code},
            code="invalid_tree",
            fields={"parent": [_("上级层级不对。")]},
        )
    fields = {}
    if kind == NodeKind.STANDARD:
        fields = {
            "points": _dec(std.get("points"), "points"),
            "level": std.get("level") or "",
            "method": std.get("method") or "",
            "rule": std.get("rule") or "",
            "metric": std.get("metric") or "",
            "target": _dec(std.get("target"), "target"),
            "cap": _dec(std.get("cap"), "cap"),
            "per_unit": _dec(std.get("per_unit"), "per_unit"),
        }
        _check_standard(fields)
    node = Node(
        scheme=scheme,
        parent=parent,
        kind=kind,
        code=str(code).strip(),
        title=str(title).strip(),
        position=position,
        **fields,
    )
    if scheme.nodes.filter(code=node.code).exists():
        raise ValidationFailed(
            _("编号 %(code)s 已存在。") % {"code": node.code},
            code="duplicate_code",
            fields={"code": [_("编号已存在。")]},
        )
    full_clean_or_raise(node)
    node.save()
    return node


def parent_code_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


@transaction.atomic
def node_add(*, actor, scheme: Scheme, kind: str, code: str, title: str, **std) -> Node:
    """Add an indicator, a content or a standard; the parent is named by the code
    (``2.1.3`` sits under ``2.1``)."""
    _require_edit(actor, scheme)
    position = scheme.nodes.count()
    return _node(
        scheme,
        parent_code=parent_code_of(str(code).strip()),
        kind=kind,
        code=code,
        title=title,
        position=position,
        **std,
    )


def scheme_publish(*, actor, scheme: Scheme) -> Scheme:
    _require_edit(actor, scheme)
    if not scheme.nodes.filter(kind=NodeKind.STANDARD).exists():
        raise ValidationFailed(_("指标体系还没有标准。"), code="empty_scheme")
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["published_at"])
    return scheme


def total_points(scheme: Scheme) -> Decimal:
    return sum((n.points for n in scheme.nodes.filter(kind=NodeKind.STANDARD)), Decimal(0))


def _rows_of(scheme: Scheme):
    for n in scheme.nodes.order_by("position", "id"):
        yield [
            n.code,
            n.kind,
            n.title,
            n.points,
            n.level,
            n.method,
            n.rule,
            n.metric,
            n.target,
            n.cap,
            n.per_unit,
        ]


def scheme_xlsx(scheme: Scheme) -> bytes:
    wb = new_workbook()
    ws = add_sheet(wb, _("指标体系"))
    append_row(ws, COLUMNS)
    for row in _rows_of(scheme):
        append_row(
            ws, ["" if v is None else (float(v) if isinstance(v, Decimal) else v) for v in row]
        )
    return workbook_bytes(wb)


@transaction.atomic
def scheme_import(*, actor, scheme: Scheme, content: bytes) -> int:
    """Add the rows of an exported sheet (same columns) to an empty draft scheme; all or
    nothing, each error names its row."""
    _require_edit(actor, scheme)
    if scheme.nodes.exists():
        raise Conflict(_("只能导入到空的指标体系。"), code="not_empty")
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("文件超过 2 MB。"), code="too_large")
    rows = list(read_xlsx_rows(content))
    if not rows or [str(c or "").strip() for c in rows[0][: len(COLUMNS)]] != COLUMNS:
        raise ValidationFailed(
            _("表头应为：%(cols)s") % {"cols": ", ".join(COLUMNS)}, code="bad_header"
        )
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationFailed(_("行数过多。"), code="too_many_rows")
    count = 0
    for i, raw in enumerate(rows[1:], start=2):
        values = dict(
            zip(COLUMNS, [("" if v is None else v) for v in raw[: len(COLUMNS)]], strict=False)
        )
        if not any(str(v).strip() for v in values.values()):
            continue
        code = str(values.pop("code")).strip()
        kind = str(values.pop("kind")).strip()
        title = str(values.pop("title")).strip()
        try:
            _node(
                scheme,
                parent_code=parent_code_of(code),
                kind=kind,
                code=code,
                title=title,
                position=count,
                **values,
            )
        except ValidationFailed as exc:
            raise ValidationFailed(
                _("第 %(row)d 行：%(msg)s") % {"row": i, "msg": exc.detail},
                code=exc.code,
                fields=exc.fields,
            ) from exc
        count += 1
    return count


@transaction.atomic
def scheme_new_version(*, actor, scheme: Scheme) -> Scheme:
    """A draft copy of ``scheme`` (same year, next version) to change."""
    copy = scheme_create(actor=actor, region=scheme.region, year=scheme.year, title=scheme.title)
    by_code = {}
    for n in scheme.nodes.order_by("position", "id"):
        parent = by_code.get(parent_code_of(n.code))
        new = Node.objects.create(
            scheme=copy,
            parent=parent,
            kind=n.kind,
            code=n.code,
            title=n.title,
            position=n.position,
            points=n.points,
            level=n.level,
            method=n.method,
            rule=n.rule,
            metric=n.metric,
            target=n.target,
            cap=n.cap,
            per_unit=n.per_unit,
        )
        by_code[n.code] = new
    return copy


@transaction.atomic
def default_scheme_build(*, actor, region, year: int) -> Scheme:
    """The default scheme (``default_scheme.ROWS``) as a published scheme of ``region``."""
    from ..default_scheme import ROWS

    scheme = scheme_create(actor=actor, region=region, year=year, title=_("新时代文明实践工作考核"))
    for row in ROWS:
        if len(row) == 3:
            node_add(actor=actor, scheme=scheme, code=row[0], title=row[1], kind=row[2])
        else:
            code, title, points, level, method, rule, metric, target, cap, per_unit = row
            node_add(
                actor=actor,
                scheme=scheme,
                code=code,
                title=title,
                kind=NodeKind.STANDARD,
                points=points,
                level=level,
                method=method,
                rule=rule,
                metric=metric,
                target=target,
                cap=cap,
                per_unit=per_unit,
            )
    return scheme_publish(actor=actor, scheme=scheme)
