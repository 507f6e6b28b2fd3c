"""axe-core in the browser tests: the serious and critical violations on the page, as lines a
failing assertion can print (rule, what it asks, how many elements)."""

from axe_playwright_python.sync_playwright import Axe

SERIOUS = {"serious", "critical"}


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
