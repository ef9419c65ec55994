"""A real browser on the console: Debian's chromium driven by Playwright (never a downloaded
browser), the console served by uvicorn on a free loopback port. `make test` installs chromium;
a missing one fails the tests."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from bascule.web.app import create_app
from tests.servers import free_port
from tests.web.conftest import leaver_plan, school  # noqa: F401 (the same colleges here)

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).parents[2] / "test-artefacts" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: make test installs it (as root)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=FLAGS)
        yield launched
        launched.close()


Serve = Callable[[Path, datetime | None], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start the console of a home (at a fixed moment, when given); its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(home: Path, now: datetime | None = None) -> str:
        app = create_app(home, clock=lambda: now) if now else create_app(home)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=5)


def click_and_load(page: Page, selector: str) -> None:
    """Click what leads to another page (a link, a form's button) and wait for that page: read
    at once, a busy machine may still show the previous one."""
    with page.expect_navigation():
        page.click(selector)


def screenshot(page: object, name: str) -> None:
    """Kept as a test artefact: how the main pages look."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
