"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import service_missing

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls the
# tests make to set up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        service_missing(f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def shoot(page):
    """Save a full-page screenshot of the current screen under test-artifacts/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> None:
        safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
        page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)

    return take


@pytest.fixture
def log_in(page, live_server):
    def do(user, *, expect_path: str = "/") -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label(re.compile("Username|用户名")).fill(user.username)
        page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(f"{live_server.url}{expect_path}*")

    return do


@pytest.fixture(scope="session")
def base_url():
    # pytest-base-url's own fixture trips a pytest deprecation (an error here); the tests
    # build absolute URLs from live_server instead.
    return None
