"""Auth is declared at the router level (accounts.api_auth), never re-implemented per file:
no API module raises NotAuthenticated itself (a "get the user or 401" helper), and every
operation declared `auth=signed_in` answers 401 to an anonymous caller before its view runs.
"""

import ast
from pathlib import Path

import pytest

from xinfeng.api import api

ROOT = Path(__file__).resolve().parents[2] / "xinfeng"


def _api_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        if "migrations" in rel or len(rel) < 2:
            continue
        if rel[1] == "api" or rel[1].startswith("api"):  # <app>/api.py, api_*.py, api/…
            if rel[0] == "accounts" and rel[-1] == "api_auth.py":
                continue  # the one home of the auth classes
            yield path


def _own_auth_checks(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Raise) and "NotAuthenticated" in ast.unparse(node):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} raises NotAuthenticated")
    return found


def test_no_api_module_checks_authentication_itself():
    modules = list(_api_modules())
    assert len(modules) > 10
    found = [f for m in modules for f in _own_auth_checks(m)]
    assert found == [], "declare auth=signed_in on the operation instead:\n" + "\n".join(found)


def test_the_check_sees_a_hand_written_helper(tmp_path):
    bad = tmp_path / "api.py"
    bad.write_text(
        "def _user(request):\n"
        "    if not request.user.is_authenticated:\n"
        "        raise NotAuthenticated()\n"
        "    return request.user\n"
    )
    assert len(_own_auth_checks_at(bad, tmp_path)) == 1


def _own_auth_checks_at(path, root):
    global ROOT
    saved, ROOT = ROOT, root
    try:
        return _own_auth_checks(path)
    finally:
        ROOT = saved


def _signed_in_operations():
    doc = api.get_openapi_schema()
    for route, methods in doc["paths"].items():
        for method, op in methods.items():
            if isinstance(op, dict) and op.get("security") == [{"SignedIn": []}]:
                yield method.upper(), route


@pytest.mark.django_db
def test_every_signed_in_operation_answers_401_to_an_anonymous_caller(client):
    ops = list(_signed_in_operations())
    assert len(ops) > 40
    for method, route in ops:
        url = route
        for part in [p for p in route.split("/") if p.startswith("{")]:
            url = url.replace(part, "1" if "id" in part else "x")
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 401, (method, route, response.status_code)
        assert response.json()["code"] == "not_authenticated", (method, route)
