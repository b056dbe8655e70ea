"""Templates follow the layers too: a template of an app never links to ({% url %}),
includes or extends a page of a higher app. The project shell (xinfeng/templates/*.html:
base.html, home.html, error pages) sits above every app and may link anywhere; a lower page
shows what higher apps offer through slots (core.hooks)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS_DIR = ROOT / "xinfeng"
URL_RE = re.compile(r"""\{%\s*url\s+['"]([a-z0-9_]+):""")
USE_RE = re.compile(r"""\{%\s*(?:include|extends)\s+['"]([a-z0-9_]+)/""")


def _ranks() -> dict[str, int]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    ranks = {}
    for rank, layer in enumerate(reversed(layers)):
        for module in re.split(r"[|:]", layer):
            ranks[module.strip().rsplit(".", 1)[-1]] = rank
    return ranks


def _owner(template: Path, apps_dir: Path) -> str | None:
    """The app a template belongs to (xinfeng/<app>/templates/… or
    xinfeng/templates/<app>/…); None for the project shell's own templates."""
    parts = template.relative_to(apps_dir).parts
    if parts[0] != "templates":
        return parts[0]
    return parts[1] if len(parts) > 2 else None


def upward_references(ranks: dict[str, int], apps_dir: Path = APPS_DIR) -> list[str]:
    found = []
    for template in sorted(apps_dir.rglob("templates/**/*.html")):
        if "static" in template.parts:
            continue
        owner = _owner(template, apps_dir)
        if owner not in ranks:
            continue
        text = template.read_text()
        for kind, regex in (("links to", URL_RE), ("includes", USE_RE)):
            for target in regex.findall(text):
                if target in ranks and ranks[target] > ranks[owner]:
                    found.append(f"{template.relative_to(apps_dir)} ({owner}) {kind} {target}")
    return found


def test_no_template_reaches_a_higher_app():
    assert upward_references(_ranks()) == []


def test_the_check_sees_an_upward_link(tmp_path):
    app_dir = tmp_path / "places" / "templates" / "places"
    app_dir.mkdir(parents=True)
    (app_dir / "bad.html").write_text(
        "{% url 'orders:new' %}{% include \"activities/_site_links.html\" %}"
    )
    shell = tmp_path / "templates"
    shell.mkdir()
    (shell / "home.html").write_text("{% url 'orders:new' %}")  # the shell may
    found = upward_references(_ranks(), tmp_path)
    assert any("links to orders" in f for f in found)
    assert any("includes activities" in f for f in found)
    assert not any("home.html" in f for f in found)
