"""Real-browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium), headless.

Playwright's own browser downloads are never used (the machine has no network): the browser is
launched from `CHROMIUM` with `executable_path`. Without it every test here is skipped, and
says why. One browser serves each test module; each persona gets a fresh browser context (its
own cookies). Every step a test names is saved as a screenshot under test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas, make_personas
from ntm.browser_tests.pages import OpenPage, Shot

# Debian's package; NTM_CHROMIUM names another build (the Makefile checks the same path).
CHROMIUM = Path(os.environ.get("NTM_CHROMIUM") or "/usr/bin/chromium")
SKIP_REASON = (
    f"browser tests skipped: {CHROMIUM} is missing; they need Debian's chromium "
    "(apt-get install chromium; .ci/run installs it)"
)
# Without the networking switches Chromium keeps trying (and stalling on) refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
FAILED_LOAD = "Failed to load resource"
PASSWORD = "Mật-khẩu-thử-2020"  # a test password for the persona users that log in


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per test module (about a second to start)."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    # The sync API runs an event loop in this thread, so Django takes the tests' own ORM calls
    # for calls from async code and refuses them. They are plain synchronous calls: allow them
    # while the browser is up — only for this module, so that no other test runs that way.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def artifacts(request: pytest.FixtureRequest) -> Path:
    """test-artifacts/browser/ at the root of the checkout, emptied at the start of a run."""
    folder = request.config.rootpath / "test-artifacts" / "browser"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def world(live_server: LiveServer) -> Personas:
    """The persona world, in a database the live server's thread can see (the tests are
    transactional), with a known password for the users that log in through the form."""
    p = make_personas()
    for user in (p.officer_a, p.officer_b, p.province_office):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return p


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer, world: Personas) -> Iterator[OpenPage]:
    """`open_page(username)`: a new browser context, logged in through the login form.

    Whatever the browser reports as an error (a script error, a Content-Security-Policy
    violation, an SVG attribute it cannot read, a missing asset) fails the test at its
    end. A page answered with an error status
    logs that it failed to load; that is the test's to check, not an error of the page.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []
    expect.set_options(timeout=TIMEOUT_MS)

    def watch(page: Page) -> None:
        def on_console(msg: ConsoleMessage) -> None:
            document = msg.location.get("url") == page.url
            if msg.type == "error" and not (document and msg.text.startswith(FAILED_LOAD)):
                errors.append(f"{page.url}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))

    def open_as(username: str) -> Page:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        # Chromium asks for /favicon.ico on its own; the pages link no icon, so that is
        # not one of their assets.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        contexts.append(context)
        page = context.new_page()
        watch(page)
        page.goto(live_server.url + reverse("web:login"))
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(live_server.url + reverse("web:home"))
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def shot(artifacts: Path, request: pytest.FixtureRequest) -> Shot:
    """`shot(page, step)`: a full-page screenshot, test-artifacts/browser/<test>-<n>-<step>.png;
    `shot(page, step, focus)`: the window scrolled to `focus` (for pages too long to read whole).
    """
    test = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
    taken: list[Path] = []

    def take(page: Page, step: str, focus: Locator | None = None) -> Path:
        path = artifacts / f"{test}-{len(taken) + 1:02d}-{step}.png"
        if focus is not None:
            focus.scroll_into_view_if_needed()
        page.screenshot(path=path, full_page=focus is None)
        taken.append(path)
        return path

    return take
