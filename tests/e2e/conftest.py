"""Browser tests: Debian's chromium driven by Playwright (never a downloaded browser).

Playwright's sync API runs an event loop in the test thread; the Django ORM calls the tests
make there are ordinary blocking calls, hence DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # One worker runs all browser tests: they share a browser and a live server.
            item.add_marker(pytest.mark.xdist_group("browser"))
            if CHROMIUM is None:
                item.add_marker(
                    pytest.mark.skip(reason="Debian's chromium is not installed (make chromium)")
                )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page, password):
    def _login(user):
        page.goto("/comptes/connexion/")
        page.get_by_label("Identifiant").fill(user.username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

    return _login


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; return the violations of ``impacts``.

    A click that navigates returns before the next document exists; injecting then fails on a
    document without a head, or loses its context. So wait for the page to load, and start
    again (a few times) when the document changed under the script."""
    for attempt in range(4):
        page.wait_for_load_state()
        try:
            page.add_script_tag(path=str(AXE_SCRIPT))
            result = page.evaluate(
                """async () => await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                    resultTypes: ['violations'],
                })"""
            )
        except PlaywrightError:
            if attempt == 3:
                raise
            page.wait_for_timeout(250)
            continue
        return [v for v in result["violations"] if v["impact"] in impacts]
    raise AssertionError("unreachable")


def assert_accessible(page, *, screen: str = "") -> None:
    """axe-core finds no serious or critical violation; with ``screen``, the page is also
    the guides' image of that name (see ``capture``)."""
    violations = axe_violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe-core on {page.url}:\n{report}"
    if screen:
        capture(page, screen)


def tab_to(page, selector: str, *, max_presses: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus: proves it is reachable
    with the keyboard, in the page's tab order."""
    target = page.locator(selector).first
    target.wait_for()
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


# -- screens for the user guides ---------------------------------------------------------------

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "images"
# Screens are kept small: this wide at most, in a palette of 128 colours (a few dozen kB).
GUIDE_IMAGE_WIDTH = 1100
GUIDE_IMAGE_COLOURS = 128


def capture_enabled() -> bool:
    """Whether this run refreshes the guides' screens (``RELAIS_CAPTURE_SCREENSHOTS=1``):
    normal runs never rewrite the committed images."""
    return os.environ.get("RELAIS_CAPTURE_SCREENSHOTS") == "1"


def capture(page, name: str, *, locator=None) -> None:
    """Save the current screen (or ``locator``'s box) as ``docs/guide/images/<name>.png``
    for the guides that describe it, when ``capture_enabled()``."""
    if not capture_enabled():
        return
    from io import BytesIO

    from PIL import Image

    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # fonts and charts settle (polling pages never go idle)
    shot = (locator or page).screenshot(animations="disabled")
    image = Image.open(BytesIO(shot)).convert("RGB")
    if image.width > GUIDE_IMAGE_WIDTH:
        height = round(image.height * GUIDE_IMAGE_WIDTH / image.width)
        image = image.resize((GUIDE_IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
    image = image.quantize(colors=GUIDE_IMAGE_COLOURS, method=Image.Quantize.MEDIANCUT)
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    image.save(GUIDE_IMAGES / f"{name}.png", optimize=True)
