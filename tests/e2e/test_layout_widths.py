"""The desk at the reception's tablet (820 px) and on a laptop (1,280 px), in both languages:
nothing runs off the right edge, the top bar keeps the user menu, the case page shows the
customer early; countdowns tick without a reload; the keyboard reaches search and the queues.

Every screen is saved under test-artifacts/screenshots/ (layout-<language>-<width>-<page>)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.choices import State
from followups.deadlines import deadline_open
from tests.factories import RepairOrderFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1280, "height": 800}


def speak(language: str, *users) -> None:
    for user in users:
        user.language = language
        user.save(update_fields=["language"])


@pytest.fixture
def desk(alice, make_complaint):
    """A dealer with a case at every stage the screens show: a missed promise, one due soon,
    one awaiting approval; a manager whose English name is as long as real ones are."""
    manager = alice.manager
    manager.first_name, manager.last_name = "Alexandra", "Richardson-Whitfield"
    manager.save(update_fields=["first_name", "last_name"])
    now = timezone.now()
    late = make_complaint(
        alice,
        state=State.FOLLOWING_UP,
        is_safety_related=True,
        severity="serious",
        description="刹车异响，上次保养后踩刹车时方向盘抖动，客户很着急。" * 3,
    )
    customer = late.customer
    customer.occupation = "Fleet manager of a logistics company"
    customer.family = "Married, two children"
    customer.usage_and_storage = "Daily commute, parks outdoors"
    customer.save()
    RepairOrderFactory(vehicle=late.vehicle, work_summary="Front brake pads and discs replaced")
    deadline_open(
        complaint=late,
        kind="commitment",
        due_at=now - timedelta(hours=3),
        rule="promise",
        promise="Call back within 20 minutes",
    )
    soon = make_complaint(alice, state=State.RESOLVING)
    deadline_open(
        complaint=soon,
        kind="repair_completion",
        due_at=now + timedelta(minutes=90),
        rule="promise",
    )
    waiting = make_complaint(
        alice,
        state=State.AWAITING_APPROVAL,
        compensation_amount=Decimal("3500.00"),
        submitted_by=alice.advisor,
    )
    for state in (State.RECEIVED, State.INVESTIGATING, State.ASSESSING, State.CLOSED):
        make_complaint(alice, state=state)
    return {"late": late, "soon": soon, "waiting": waiting}


def screens(desk) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("case-list", "/?filtered=1&closed=on"),
        ("case", f"/cases/{desk['late'].reference}/"),
        ("approvals", "/approvals/"),
        ("overdue", "/followups/overdue/"),
        ("intake", "/cases/new/"),
    ]


# How far the page, and any box that scrolls sideways (a wide table), runs past the window.
OVERFLOW = """() => {
  const page = document.scrollingElement.scrollWidth - window.innerWidth;
  const boxes = [...document.querySelectorAll('.table-responsive')]
    .map((box) => box.scrollWidth - box.clientWidth);
  return Math.max(page, ...boxes, 0);
}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", [TABLET, LAPTOP], ids=["820", "1280"])
def test_no_screen_runs_off_the_right_edge(
    page, live_server, alice, desk, log_in, shoot, language, viewport
):
    speak(language, alice.manager)
    page.set_viewport_size(viewport)
    log_in(alice.manager)
    overflowing = {}
    for name, path in screens(desk):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        shoot(f"layout-{language}-{viewport['width']}-{name}")
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            overflowing[name] = overflow
    assert overflowing == {}, f"pixels past the right edge at {viewport['width']} px"


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_english_top_bar_keeps_the_user_menu_in_reach(
    page, live_server, alice, desk, log_in, width
):
    speak("en", alice.manager)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(alice.manager)
    menu = page.locator("#user-menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width, "the user menu is cut off at the right"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    # The page links and the user menu share one bar, on one line.
    bar = page.locator("nav.navbar").bounding_box()
    assert bar is not None and bar["height"] < 70
    nav = page.get_by_role("navigation", name="Main navigation")
    for link in ("My cases", "New complaint", "Approvals", "Overdue board", "Dealer overview"):
        expect(nav.get_by_role("link", name=link)).to_be_visible()
    menu.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_on_a_tablet_the_customer_panel_comes_before_the_timeline(
    page, live_server, alice, desk, log_in, language
):
    speak(language, alice.manager)
    page.set_viewport_size(TABLET)
    log_in(alice.manager)
    page.goto(f"{live_server.url}/cases/{desk['late'].reference}/")
    customer = page.locator('section[aria-labelledby="customer-heading"]').bounding_box()
    timeline = page.locator('section[aria-labelledby="timeline-heading"]').bounding_box()
    assert customer is not None and timeline is not None
    assert customer["y"] < timeline["y"]
    assert customer["y"] < TABLET["height"], "the customer panel is not on the first screen"


def test_a_countdown_ticks_and_turns_red_without_a_reload(
    page, live_server, alice, make_complaint, log_in
):
    speak("zh-hans", alice.advisor)
    complaint = make_complaint(alice)
    deadline_open(
        complaint=complaint,
        kind="commitment",
        due_at=timezone.now() + timedelta(seconds=150),
        rule="promise",
        promise="20 分钟内回电",
    )
    log_in(alice.advisor)
    page.clock.install()
    page.goto(f"{live_server.url}/")
    row = page.locator(".case-table tbody tr", has_text=complaint.reference)
    countdown = row.locator(".countdown")
    expect(countdown).to_have_text("剩余 2 分钟")
    expect(countdown).to_have_attribute(
        "data-due", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
    )
    expect(row).not_to_have_class(re.compile("table-danger"))
    page.clock.fast_forward("01:00")
    expect(countdown).to_have_text("剩余 1 分钟")
    page.clock.fast_forward("02:00")
    expect(countdown).to_have_text("已超时 0 分钟")
    expect(countdown).to_have_class(re.compile("is-breached"))
    expect(row).to_have_class(re.compile("table-danger"))
    expect(countdown).to_have_css("color", "rgb(176, 42, 55)")

    # The case page, in English, does the same (its countdown starts from the server's clock).
    speak("en", alice.advisor)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    item = page.locator(".deadlines .list-group-item", has_text="20 分钟内回电")
    expect(item.locator(".countdown")).to_have_text(re.compile(r"^in [12] min$"))
    expect(item).not_to_have_class(re.compile("list-group-item-danger"))
    page.clock.fast_forward("03:00")
    expect(item.locator(".countdown")).to_have_text(re.compile(r"^[01] min overdue$"))
    expect(item).to_have_class(re.compile("list-group-item-danger"))


def test_a_countdown_goes_by_the_servers_clock_not_the_tablets(
    page, live_server, alice, make_complaint, log_in
):
    speak("en", alice.advisor)
    complaint = make_complaint(alice)
    deadline_open(
        complaint=complaint,
        kind="commitment",
        due_at=timezone.now() + timedelta(minutes=30, seconds=30),
        rule="promise",
    )
    log_in(alice.advisor)
    # The tablet's clock is two hours behind.
    page.clock.install(time=timezone.now() - timedelta(hours=2))
    page.goto(f"{live_server.url}/")
    countdown = page.locator(".case-table tbody tr", has_text=complaint.reference).locator(
        ".countdown"
    )
    page.clock.fast_forward("00:05")
    expect(countdown).to_have_text("in 30 min")
    page.clock.fast_forward("01:00")
    expect(countdown).to_have_text("in 29 min")


def test_slash_focuses_the_search_unless_one_is_typing(page, live_server, alice, desk, log_in):
    speak("en", alice.manager)
    log_in(alice.manager)
    search = page.get_by_role("searchbox", name="Search")
    expect(search).not_to_be_focused()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_attribute("aria-keyshortcuts", "/")
    page.keyboard.type("a/b")
    expect(search).to_have_value("a/b")
    # In a text field elsewhere "/" is just a character.
    page.goto(f"{live_server.url}/approvals/")
    comment = page.get_by_label("Comment").first
    comment.fill("")
    comment.press("/")
    expect(comment).to_have_value("/")


def test_the_approval_queue_and_overdue_board_work_from_the_keyboard(
    page, live_server, alice, desk, log_in
):
    speak("en", alice.manager)
    log_in(alice.manager)
    page.goto(f"{live_server.url}/approvals/")
    entry = page.locator("[data-keynav-item]").first
    page.keyboard.press("j")
    expect(entry).to_be_focused()
    expect(entry).to_have_css("outline-style", "solid")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/cases/{desk['waiting'].reference}/")

    page.goto(f"{live_server.url}/followups/overdue/")
    rows = page.locator("#overdue-board [data-keynav-item]")
    expect(rows).to_have_count(2)
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_be_focused()
    # The board refreshes itself; the row in hand stays in hand.
    page.locator("#overdue-board").evaluate(
        "board => htmx.ajax('GET', location.pathname, {target: board, swap: 'outerHTML'})"
    )
    expect(page.locator("#overdue-board [data-keynav-item]").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/cases/{desk['late'].reference}/")
