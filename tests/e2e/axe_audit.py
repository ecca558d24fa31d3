"""axe-core's WCAG 2.1 A/AA audit of the page a test has open, its findings as one line per element."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_AXE = Axe()

# Animations and transitions (a dialog fading in, a popover sliding open) finished: axe measures colours as
# they are shown, and half-faded text would fail the contrast rule.
_SETTLED = (
    "() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null)))"
)


def wcag_violations(page: Page) -> list[str]:
    """axe's WCAG 2.1 A and AA violations on the page as it is now, each as `rule target: summary`."""
    page.evaluate(_SETTLED)
    results = _AXE.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    )
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            summary = "; ".join(check["message"] for check in checks) or violation["help"]
            target = " ".join(map(str, node["target"]))
            found.append(f"{violation['id']} {target}: {summary}")
    return found
