"""WCAG 2.1 AA check with axe-core (shipped inside axe-playwright-python) on a live page."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def assert_accessible(page):
    results = Axe().run(page, options=WCAG_21_AA)
    violations = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])}×: "
        f"{violation['nodes'][0]['target'] if violation['nodes'] else ''})"
        for violation in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)
