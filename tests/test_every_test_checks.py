"""Every test checks something it could fail on: each test function under tests/ contains an
``assert``, ``pytest.raises``/``fail``/``warns``, a Playwright ``expect``, a query-count
context, a schemathesis or hypothesis checker, or calls a helper of its own module (or one
named ``assert_…``/``check_…``/``expect_…``) that does. A test that only runs code passes
whatever the code does (two such tests hid here once: a geofence radius and a room slot)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Calls that check by themselves (the last part of the called name).
CHECKING_CALLS = {
    "raises",
    "fail",
    "warns",
    "expect",
    "call_and_validate",  # schemathesis: runs the given checks, raises on a failure
    "run_state_machine_as_test",  # hypothesis: the machine's invariants assert
    "assertNumQueries",
    "django_assert_num_queries",
    "django_assert_max_num_queries",
}
CHECKING_PREFIXES = ("assert", "check", "expect")


def _called_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _checks(fn: ast.AST, helpers: dict, seen: frozenset) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in CHECKING_CALLS or name.startswith(CHECKING_PREFIXES):
                return True
            if (
                name in helpers
                and name not in seen
                and _checks(helpers[name], helpers, seen | {name})
            ):
                return True
    return False


def _unchecked(path: Path, root: Path = TESTS.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    helpers = {
        n.name: n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("test")
    }
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        tests += [n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return [
        f"{path.relative_to(root)}:{t.lineno} {t.name}"
        for t in tests
        if t.name.startswith("test") and not _checks(t, helpers, frozenset())
    ]


def test_every_test_function_checks_something():
    unchecked = [line for p in sorted(TESTS.rglob("test_*.py")) for line in _unchecked(p)]
    assert unchecked == [], "tests that check nothing:\n" + "\n".join(unchecked)


def test_the_scan_finds_a_test_that_checks_nothing(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "def helper(x):\n    assert x\n\n"
        "def test_runs_only(db):\n    print(1)\n\n"
        "def test_asserts():\n    assert 1\n\n"
        "def test_via_helper():\n    helper(1)\n\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n",
        encoding="utf-8",
    )
    assert [line.split()[-1] for line in _unchecked(sample, tmp_path)] == ["test_runs_only"]
