"""The console as a person uses it, in a real browser (Debian's chromium driven by
Playwright) on the Acme sample: sign in, open the flow, follow a live decision to its record,
try a lead, run a simulation, retry a dead letter; and a viewer, who cannot act. A screenshot
of each page goes to test-artifacts/console/ (ignored by git)."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import ACME_POLICY, REPO
from tests.integration.console_support import (
    ADMIN_PASSWORD,
    NOW,
    VIEWER_PASSWORD,
    Rig,
    acme_console,
    console_settings,
    dead_letter,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "console"
IBM_LEAD, DIANA = "00Q000001700000DEV", "005000000000009AAA"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed: run scripts/install-browser", allow_module_level=True
    )


class Server:
    """The console app served by uvicorn on a free port, in a thread of this process."""

    def __init__(self, rig: Rig) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(
            rig.app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/console"

    def __enter__(self) -> Server:
        self.thread.start()
        started = threading.Event()
        for _ in range(200):  # uvicorn says when it listens; give it 10 s
            if self.server.started:
                started.set()
                break
            started.wait(0.05)
        assert started.is_set(), "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def rig(tmp_path: Path, e2e_redis: str, e2e_database: str) -> Iterator[Rig]:
    settings = console_settings(
        LEADRELAY_CONSOLE_STREAM_SECONDS=30, LEADRELAY_CONSOLE_FEED_SECONDS=0.1
    )
    with acme_console(tmp_path, e2e_redis, e2e_database, settings) as made:
        made.record(made.decisions[:-1])  # the last lead is routed while the feed is open
        yield made


@pytest.fixture
def server(rig: Rig) -> Iterator[Server]:
    with Server(rig) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])  # fmt: skip
        yield launched
        launched.close()


def sign_in(browser: object, server: Server, password: str, name: str) -> object:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    assert "/console/login" in page.url
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password or token").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/")
    return page


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_an_admin_follows_a_live_decision_to_its_record(
    rig: Rig, server: Server, browser: object
) -> None:
    page = sign_in(browser, server, ADMIN_PASSWORD, "Ana Admin")
    page.wait_for_selector("#feed-state:has-text('connected')")
    shot(page, "login-then-decisions")
    newest = rig.decisions[-1]
    rig.record([newest], at=NOW + timedelta(minutes=1))  # a worker records a decision
    row = page.locator(f"#feed tbody tr.fresh:has(a:text-is('{newest.record_id}'))")
    row.wait_for(timeout=10_000)
    shot(page, "live-decision")
    row.get_by_role("link", name=newest.record_id).click()
    page.wait_for_url(f"**/records/{newest.record_id}")
    assert page.get_by_role("heading", name="History").is_visible()
    assert page.locator("text=They agree").is_visible()
    shot(page, "record")


def test_an_admin_opens_the_flow_and_finds_a_record(
    rig: Rig, server: Server, browser: object
) -> None:
    page = sign_in(browser, server, ADMIN_PASSWORD, "Ana Admin")
    page.get_by_role("link", name="Policy").click()
    assert page.locator("svg g.node.rule").count() == 13
    assert page.locator("svg text", has_text="pool enterprise NA West").count() == 1
    shot(page, "policy")
    page.get_by_role("link", name="Records").click()
    page.get_by_label("Id, email or company").fill("ada.king@ibm.com")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=IBM_LEAD).click()
    assert page.locator("text=routed by rule named-account").count() >= 1
    shot(page, "search-record")


def test_a_person_tries_a_lead_and_runs_a_simulation(
    rig: Rig, server: Server, browser: object
) -> None:
    lead_csv = (rig.crm / "Lead.csv").read_bytes()
    page = sign_in(browser, server, VIEWER_PASSWORD, "Vic Viewer")
    page.get_by_role("link", name="Try a lead").click()
    page.get_by_label("Email").fill("pat@rivalmetrics.com")
    page.get_by_label("Company").fill("Rival Metrics")
    page.get_by_role("button", name="Where would it go?").click()
    assert page.get_by_role("heading", name="It would go to queue 'Junk Queue'").is_visible()
    shot(page, "try-a-lead")
    page.get_by_role("link", name="Before go-live").click()
    draft = ACME_POLICY.read_text().replace("{fact: score, lt: 40}", "{fact: score, lt: 65}")
    page.get_by_label("Draft policy (YAML)").fill(draft)
    page.get_by_role("button", name="Check and simulate").click()
    summary = page.locator("#sim-summary")
    summary.wait_for()
    assert "leads change owner" in summary.inner_text()
    assert page.frame_locator("iframe.report").locator("svg").first.is_visible()
    assert page.get_by_role("button", name="Publish").count() == 0  # a viewer cannot publish
    shot(page, "simulation")
    assert (rig.crm / "Lead.csv").read_bytes() == lead_csv  # tried and simulated: nothing written


def test_an_admin_retries_a_dead_letter(rig: Rig, server: Server, browser: object) -> None:
    dead_letter(rig, IBM_LEAD, DIANA)
    page = sign_in(browser, server, ADMIN_PASSWORD, "Ana Admin")
    page.get_by_role("link", name="Operations").click()
    shot(page, "operations")
    page.locator("#dead-letters").get_by_role("button", name="Retry").click()
    assert page.get_by_role("status").inner_text().endswith("the dead letter is resolved.")
    assert page.locator("text=No dead letters.").is_visible()
    assert rig.owners()[IBM_LEAD] == DIANA
    page.get_by_role("link", name="Audit").click()
    assert page.locator("#audit", has_text="retry dead letter").is_visible()
    shot(page, "audit")


def test_a_viewer_cannot_act_even_by_posting_directly(
    rig: Rig, server: Server, browser: object
) -> None:
    letter = dead_letter(rig, IBM_LEAD, DIANA)
    page = sign_in(browser, server, VIEWER_PASSWORD, "Vic Viewer")
    page.get_by_role("link", name="Operations").click()
    assert page.locator("#dead-letters").get_by_role("button", name="Retry").count() == 0
    shot(page, "operations-viewer")
    status = page.evaluate(
        """async (path) => {
            const body = new URLSearchParams({csrf: document.body.dataset.csrf});
            const answer = await fetch(path, {method: "POST", body});
            return answer.status;
        }""",
        f"{server.url}/ops/dead-letters/{letter}/retry",
    )
    assert status == 403
    assert [d.id for d in rig.store.open_dead_letters(rig.key)] == [letter]
