"""Scoring rules at their edges, and indicator schemes: the tree's shape, standards'
required fields, publishing freezes a version, the Excel round trip, the default scheme."""

from decimal import Decimal

import pytest

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment import scoring
from xinfeng.assessment.choices import NodeKind
from xinfeng.assessment.default_scheme import ROWS
from xinfeng.assessment.services import schemes
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed

D = Decimal


def test_ratio_edges():
    assert scoring.ratio(45, 90, 8) == D("4.00")
    assert scoring.ratio(0, 0, 8) == D("8.00")  # a zero target asks for nothing
    assert scoring.ratio(5, None, 8) == D("8.00")
    assert scoring.ratio(180, 90, 8) == D("8.00")  # capped at the points
    assert scoring.ratio(180, 90, 8, cap=D("1.2")) == D("9.60")  # bonus up to 120 %
    assert scoring.ratio(-3, 90, 8) == D("0.00")
    assert scoring.ratio(1, 3, 10) == D("3.33")


def test_grade_edges():
    assert [scoring.grade(g, 6) for g in ("A", "B", "C", "C#")] == [
        D("6.00"),
        D("3.96"),
        D("1.98"),
        D("0.00"),
    ]
    with pytest.raises(ValueError):
        scoring.grade("D", 6)


def test_deduction_never_below_zero():
    assert scoring.deduction(0, 2, 6) == D("6.00")
    assert scoring.deduction(2, 2, 6) == D("2.00")
    assert scoring.deduction(3, 2, 6) == D("0.00")
    assert scoring.deduction(10, 2, 6) == D("0.00")
    assert scoring.deduction(-4, 2, 6) == D(
        "6.00"
    )  # over-achievement earns no more than the points


def test_yesno_and_dispatch():
    assert scoring.yesno(True, 4) == D("4.00") and scoring.yesno(False, 4) == D("0.00")
    assert scoring.score("ratio", points=8, figure=90, target=90) == D("8.00")
    assert scoring.score("deduction", points=6, figure=1, per_unit=2) == D("4.00")
    assert scoring.score("grade", points=6, letter="B") == D("3.96")
    assert scoring.score("yesno", points=5, done=True) == D("5.00")
    with pytest.raises(ValueError):
        scoring.score("other", points=1)


@pytest.fixture
def staff(tree):
    return grant(UserFactory(), Role.CENTER_ADMIN, tree.city)


@pytest.mark.django_db
def test_the_tree_has_three_levels_and_standards_are_complete(tree, staff, owner):
    s = schemes.scheme_create(actor=staff, region=tree.city, year=2026, title="考核")
    with pytest.raises(ValidationFailed):
        schemes.node_add(actor=staff, scheme=s, kind="content", code="1.1", title="x")
    schemes.node_add(actor=staff, scheme=s, kind="indicator", code="1", title="阵地")
    schemes.node_add(actor=staff, scheme=s, kind="content", code="1.1", title="覆盖")
    with pytest.raises(ValidationFailed) as err:
        schemes.node_add(
            actor=staff,
            scheme=s,
            kind="standard",
            code="1.1.1",
            title="x",
            points=5,
            level="village",
            method="automatic",
            rule="ratio",
            metric="nonsense",
        )
    assert "metric" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        schemes.node_add(
            actor=staff,
            scheme=s,
            kind="standard",
            code="1.1.1",
            title="x",
            points=5,
            level="village",
            method="document",
            rule="deduction",
        )
    assert "per_unit" in err.value.fields
    with pytest.raises(ValidationFailed):
        schemes.node_add(
            actor=staff,
            scheme=s,
            kind="standard",
            code="1.1.1",
            title="x",
            points=0,
            level="village",
            method="visit",
            rule="yesno",
        )
    schemes.node_add(
        actor=staff,
        scheme=s,
        kind="standard",
        code="1.1.1",
        title="覆盖率",
        points="8",
        level="township",
        method="automatic",
        rule="ratio",
        metric="coverage_15min",
        target=90,
    )
    with pytest.raises(ValidationFailed):
        schemes.node_add(
            actor=staff,
            scheme=s,
            kind="standard",
            code="1.1.1",
            title="dup",
            points=1,
            level="village",
            method="visit",
            rule="yesno",
        )
    with pytest.raises(PermissionDenied):
        schemes.node_add(actor=owner, scheme=s, kind="indicator", code="2", title="x")
    schemes.scheme_publish(actor=staff, scheme=s)
    with pytest.raises(Conflict):
        schemes.node_add(actor=staff, scheme=s, kind="indicator", code="2", title="x")
    v2 = schemes.scheme_new_version(actor=staff, scheme=s)
    assert v2.version == 2 and v2.published_at is None
    assert list(v2.nodes.values_list("code", flat=True)) == ["1", "1.1", "1.1.1"]
    assert v2.nodes.get(code="1.1.1").parent.code == "1.1"


@pytest.mark.django_db
def test_default_scheme_is_100_points_and_survives_the_excel_round_trip(tree, staff):
    s = schemes.default_scheme_build(actor=staff, region=tree.city, year=2026)
    assert schemes.total_points(s) == D(100)
    assert s.nodes.count() == len(ROWS)
    assert s.nodes.filter(kind=NodeKind.INDICATOR).count() == 5
    data = schemes.scheme_xlsx(s)
    empty = schemes.scheme_create(actor=staff, region=tree.city, year=2027, title="导入")
    assert schemes.scheme_import(actor=staff, scheme=empty, content=data) == len(ROWS)
    cols = [
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
    assert list(empty.nodes.order_by("position").values_list(*cols)) == list(
        s.nodes.order_by("position").values_list(*cols)
    )
    with pytest.raises(Conflict):
        schemes.scheme_import(actor=staff, scheme=empty, content=data)


@pytest.mark.django_db
def test_import_names_the_bad_row(tree, staff):
    from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes

    wb = new_workbook()
    ws = add_sheet(wb, "s")
    append_row(ws, schemes.COLUMNS)
    append_row(ws, ["1", "indicator", "阵地"])
    append_row(ws, ["1.1.1", "standard", "无内容", 5, "village", "visit", "yesno"])
    s = schemes.scheme_create(actor=staff, region=tree.city, year=2026, title="考核")
    with pytest.raises(ValidationFailed) as err:
        schemes.scheme_import(actor=staff, scheme=s, content=workbook_bytes(wb))
    assert "第 3 行" in str(err.value.detail)
    assert not s.nodes.exists()
