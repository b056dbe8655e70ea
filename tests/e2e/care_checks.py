"""Shared browser checks for 长辈模式 (issue 16): the MIIT sizes measured in the page, and
axe-core (vendored, xinfeng/static/vendor/axe-core) injected as a same-origin script, which
the CSP's script-src 'self' allows."""

AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Every problem as a short line; an empty list means the page meets the care rules.
CARE_RULES = r"""
() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
    " «" + (el.textContent || el.value || "").trim().slice(0, 30) + "»";
  const shown = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };
  const meant = (el) => el.closest(".skip-link, .sr-only, [hidden], template, [aria-hidden=true]");
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > vw + 1) out.push("page wider than the screen: " + document.documentElement.scrollWidth);
  for (const el of document.body.querySelectorAll("*")) {
    if (meant(el) || !shown(el)) continue;
    const s = getComputedStyle(el);
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const fs = parseFloat(s.fontSize);
    if (text && fs < 18) out.push("text < 18px: " + name(el) + " " + s.fontSize);
    if (text && s.lineHeight !== "normal" && parseFloat(s.lineHeight) < 1.3 * fs - 0.5)
      out.push("line height < 1.3: " + name(el) + " " + s.lineHeight);
    const r = el.getBoundingClientRect();
    if ((r.right > vw + 1 || r.left < -1) && !scrolls(el)) out.push("off-screen: " + name(el) + " " + Math.round(r.left) + ".." + Math.round(r.right));
  }
  const h1 = document.querySelector("main h1");
  if (h1 && parseFloat(getComputedStyle(h1).fontSize) < 30) out.push("main heading < 30px: " + getComputedStyle(h1).fontSize);
  for (const el of document.querySelectorAll("a[href], button, select, textarea, input:not([type=hidden]), summary")) {
    if (meant(el) || !shown(el)) continue;
    const t = el.matches("input[type=checkbox], input[type=radio]") ? (el.closest("label") || el) : el;
    const r = t.getBoundingClientRect();
    if (r.width < 59.5 || r.height < 59.5) out.push("target < 60x60: " + name(t) + " " + Math.round(r.width) + "x" + Math.round(r.height));
  }
  for (const p of document.querySelectorAll("main p")) {
    if (meant(p) || !shown(p) || !p.nextElementSibling) continue;
    const s = getComputedStyle(p);
    if (parseFloat(s.marginBottom) < 1.3 * parseFloat(s.lineHeight) - 0.5)
      out.push("paragraph spacing < 1.3x line height: " + name(p) + " " + s.marginBottom + "/" + s.lineHeight);
  }
  return out;
}
"""

AXE_RUN = """
async (tags) => {
  // Third-party widgets (the Leaflet maps) are not ours to restyle.
  const r = await axe.run({ exclude: [[".leaflet-container"]] }, { runOnly: { type: "tag", values: tags } });
  return r.violations.map((v) => v.id + ": " + v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(" | "));
}
"""


def axe_violations(page) -> list[str]:
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(AXE_RUN, AXE_TAGS)


def care_problems(page) -> list[str]:
    # Right after a click that navigates, the old document may be going away: check the
    # page the click led to, once it has loaded (under CI load `documentElement` was null).
    page.wait_for_load_state("load")
    return page.evaluate(CARE_RULES)
