"""Ledger helpers for the assessment tests: a posted budget, a posted allocation, a posted
expenditure, each written through the services and approved by someone of the level above."""

from datetime import date

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.services import ledger


def approver_above(region):
    """System administrator (approves at the root and anywhere)."""
    user = UserFactory()
    return grant(user, Role.SYSTEM_ADMIN, region)


def posted_budget(
    tree, *, amount_fen=1_000_000, year=2026, source="city_operating", actor=None, approver=None
):
    actor = actor or grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    line = ledger.allocation_create(
        actor=actor, year=year, source=source, region=tree.city, amount_fen=amount_fen
    )
    return ledger.line_approve(actor=approver or approver_above(tree.city), line=line)


def posted_allocation(tree, to, *, amount_fen, year=2026, source="city_operating", frm=None):
    actor = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    line = ledger.allocation_create(
        actor=actor,
        year=year,
        source=source,
        region=to,
        from_region=frm or tree.city,
        amount_fen=amount_fen,
    )
    return ledger.line_approve(actor=approver_above(tree.city), line=line)


def posted_expenditure(tree, region, *, amount_fen, year=2026, source="city_operating", **links):
    actor = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    line = ledger.expenditure_create(
        actor=actor,
        region=region,
        source=source,
        spent_on=date(year, 3, 1),
        payee="文具店",
        purpose="活动物资",
        amount_fen=amount_fen,
        **links,
    )
    return ledger.line_approve(actor=approver_above(tree.city), line=line)


def matrix_expenditure(tree):
    """A posted expenditure of 水口村 (for the authorization matrix's ``line_id``)."""
    posted_budget(tree, amount_fen=1_000_000)
    posted_allocation(tree, tree.v1, amount_fen=500_000)
    return posted_expenditure(tree, tree.v1, amount_fen=1_000, site=tree.st1)


def matrix_scheme(tree):
    """A draft scheme of 苏家垱乡 with one indicator (the matrix's ``scheme_id``)."""
    from xinfeng.assessment.services import schemes

    staff = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    scheme = schemes.scheme_create(actor=staff, region=tree.t1, year=2026, title="矩阵考核")
    schemes.node_add(actor=staff, scheme=scheme, kind="indicator", code="1", title="阵地")
    return scheme
