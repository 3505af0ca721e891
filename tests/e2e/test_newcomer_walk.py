"""What a newcomer walking through the desk noticed, in a real browser."""

from __future__ import annotations

import pytest

from complaints.choices import State

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# "mm/dd/yyyy" (or "yyyy/mm/dd") and the calendar button need this much room.
DATE_FIELD_MIN_WIDTH = 140


@pytest.mark.parametrize("width", [820, 1280])
def test_the_corrective_actions_due_dates_are_wide_enough_to_read(
    page, live_server, alice, make_complaint, log_in, shoot, width
):
    complaint = make_complaint(alice, state=State.REVIEWING)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(alice.manager)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    dues = page.locator('input[name="corrective_actions-due"]')
    assert dues.count() >= 1
    for index in range(dues.count()):
        box = dues.nth(index).bounding_box()
        assert box is not None and box["width"] >= DATE_FIELD_MIN_WIDTH, (index, box)
    page.locator(".corrective-actions").scroll_into_view_if_needed()
    shoot(f"newcomer-close-form-{width}")
