"""What a real desk trips over on day one: approvals that reach no one, a region's staff
shown "my cases", Django's wording in the interface, and the noise around `make run`."""

from __future__ import annotations

import io
import runpy

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from complaints import services as complaint_services
from complaints.choices import Severity, State
from config.settings import base as base_settings
from followups.choices import NotificationKind
from followups.models import Notification
from tests.complaints.rules import VALID_PAYLOADS
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def _transition(complaint, name, actor, data=None):
    return complaint_services.complaint_transition(
        complaint=complaint,
        name=name,
        actor=actor,
        data=VALID_PAYLOADS[name] if data is None else data,
    )


def _told(kind, complaint):
    return {
        n.recipient.username: n
        for n in Notification.objects.filter(kind=kind, complaint=complaint).select_related(
            "recipient"
        )
    }


# --- approvals reach people -------------------------------------------------------------


def test_submitting_for_approval_tells_every_manager_of_the_dealer_in_app_and_by_email(alice, bob):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)
    _transition(complaint, "submit_for_approval", alice.advisor)

    told = _told(NotificationKind.APPROVAL_REQUESTED, complaint)
    assert set(told) == {alice.manager.username, alice.manager2.username}
    note = told[alice.manager.username]
    assert complaint.reference in note.title
    assert alice.advisor.username in note.body or str(alice.advisor) in note.body
    assert note.email_to == alice.manager.email  # the e-mail waits in the outbox


def test_a_manager_submitting_is_not_told_of_their_own_submission(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)
    _transition(complaint, "submit_for_approval", alice.manager)
    assert set(_told(NotificationKind.APPROVAL_REQUESTED, complaint)) == {alice.manager2.username}


def test_approval_tells_the_owner_and_not_the_approving_manager(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)
    _transition(complaint, "submit_for_approval", alice.advisor)
    _transition(complaint, "approve", alice.manager)
    told = _told(NotificationKind.CASE_APPROVED, complaint)
    assert set(told) == {alice.advisor.username}
    assert complaint.reference in told[alice.advisor.username].title


def test_rejection_tells_the_owner_and_the_submitter_with_the_reason(alice):
    complaint = ComplaintFactory(
        dealer=alice.dealer, assignee=alice.manager2, state=State.ASSESSING
    )
    _transition(complaint, "submit_for_approval", alice.advisor)
    _transition(complaint, "reject", alice.manager, {"reason": "Offer a second option first."})
    told = _told(NotificationKind.CASE_REJECTED, complaint)
    # The owner (manager2) and the advisor who asked for the approval; never the rejecter.
    assert set(told) == {alice.manager2.username, alice.advisor.username}
    assert "Offer a second option first." in told[alice.advisor.username].body


def test_closing_tells_the_owner(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.REVIEWING)
    _transition(complaint, "close", alice.manager)
    assert set(_told(NotificationKind.CASE_CLOSED, complaint)) == {alice.advisor.username}


def test_approval_notice_is_in_each_recipients_language(alice):
    alice.manager.language = "en"
    alice.manager.save()
    alice.manager2.language = "zh-hans"
    alice.manager2.save()
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)
    _transition(complaint, "submit_for_approval", alice.advisor)
    told = _told(NotificationKind.APPROVAL_REQUESTED, complaint)
    assert told[alice.manager.username].title.startswith("Approval needed")
    assert "审批" in told[alice.manager2.username].title


def test_the_approval_email_is_sent_through_the_outbox(alice, django_capture_on_commit_callbacks):
    from core.outbox import outbox_deliver

    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)
    _transition(complaint, "submit_for_approval", alice.advisor)
    outbox_deliver()
    approvals = [m for m in mail.outbox if "Approval needed" in m.subject or "待审批" in m.subject]
    assert len(approvals) == 2
    assert all(complaint.reference in m.subject for m in approvals)


def test_menu_shows_how_many_decisions_wait_and_how_many_deadlines_are_missed(client, alice, bob):
    for _ in range(2):
        ComplaintFactory(dealer=alice.dealer, state=State.AWAITING_APPROVAL)
    ComplaintFactory(dealer=bob.dealer, state=State.AWAITING_APPROVAL)  # another dealer's
    client.force_login(alice.manager)
    body = client.get(reverse("home")).content.decode()
    assert 'id="approvals-count">2<' in body


def test_menu_counts_missed_deadlines(client, alice):
    from datetime import timedelta

    from django.utils import timezone

    from followups.choices import DeadlineKind
    from followups.models import Deadline

    complaint = ComplaintFactory(dealer=alice.dealer, state=State.INVESTIGATING)
    Deadline.objects.create(
        complaint=complaint,
        kind=DeadlineKind.INTERIM_REPORT,
        due_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(alice.manager)
    body = client.get(reverse("home")).content.decode()
    assert 'id="overdue-count">1<' in body


def test_advisors_see_no_manager_counts(client, alice):
    ComplaintFactory(dealer=alice.dealer, state=State.AWAITING_APPROVAL)
    client.force_login(alice.advisor)
    body = client.get(reverse("home")).content.decode()
    assert "approvals-count" not in body


# --- regional staff's home ---------------------------------------------------------------


def test_regional_home_lists_the_serious_and_safety_cases_of_every_dealer_of_the_region(
    client, alice, bob
):
    from tests.factories import DealerFactory, MembershipFactory

    sister = DealerFactory(code="SH03", name="Dealer SH03", region=alice.dealer.region)
    MembershipFactory(user=alice.manager, dealer=sister, role="manager")
    serious = ComplaintFactory(dealer=alice.dealer, severity=Severity.SERIOUS)
    safety = ComplaintFactory(dealer=sister, is_safety_related=True)
    ordinary = ComplaintFactory(dealer=alice.dealer)
    elsewhere = ComplaintFactory(dealer=bob.dealer, severity=Severity.SERIOUS)

    client.force_login(alice.regional)
    with translation.override("en"):
        body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert serious.reference in body and safety.reference in body
    assert ordinary.reference not in body and elsewhere.reference not in body
    assert "Serious and safety cases of the region" in body
    assert "Only my cases" not in body
    assert "My cases" not in body  # neither the title nor the menu
    assert "SH03" in body  # the dealer of each case is shown


# --- words ------------------------------------------------------------------------------


def test_the_blank_choice_of_a_select_list_is_chinese_in_chinese(alice):
    from complaints.forms import ReassignForm

    with translation.override("zh-hans"):
        html = str(ReassignForm(staff=alice.dealer.memberships.none())["assignee"])
    assert "Select an option" not in html
    assert "请选择" in html


def test_length_errors_read_naturally_in_chinese():
    from django import forms

    class Form(forms.Form):
        text = forms.CharField(max_length=5)

    with translation.override("zh-hans"):
        form = Form({"text": "一二三四五六七"})
        assert not form.is_valid()
        message = form.errors["text"][0]
    assert "变量" not in message
    assert "5" in message and "7" in message


def test_a_step_done_reads_as_a_sentence(client, alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)
    _transition(complaint, "submit_for_approval", alice.advisor)
    alice.manager.language = "en"
    alice.manager.save()
    client.force_login(alice.manager)
    response = client.post(
        reverse("complaint_transition", args=[complaint.reference, "approve"]),
        {"comment": ""},
        follow=True,
    )
    body = response.content.decode()
    assert "decision approved; the case owner has been told" in body
    assert "“Approve” done" not in body


def test_the_demo_summary_is_in_one_language(db):
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("seed_demo", stdout=out)
    summary = out.getvalue().split("演示账号")[0]
    for english in ("repair orders", "cases", "contacts", "promises", "customers", "checks"):
        assert english not in summary, english
    assert "维修工单" in summary and "案件" in summary


# --- a newcomer's first minutes ---------------------------------------------------------


def test_development_emails_go_to_files_not_the_console(monkeypatch):
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings = runpy.run_path(base_settings.__file__)
    mailer = settings["MAILERS"]["default"]
    assert mailer["BACKEND"].endswith("filebased.EmailBackend")
    assert str(mailer["OPTIONS"]["file_path"]).endswith("mail")


def test_favicon_is_served_and_linked(client, alice):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    client.force_login(alice.advisor)
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()


def test_no_page_carries_an_inline_style(client, alice, customer):
    """The Content-Security-Policy allows no inline style: one in a template is refused by
    the browser (a console error) and its layout lost."""
    complaint = ComplaintFactory(dealer=alice.dealer, customer=customer)
    client.force_login(alice.manager)
    for url in (
        reverse("home"),
        reverse("complaint_new"),
        reverse("complaint_detail", args=[complaint.reference]),
        reverse("approval_queue"),
        reverse("customer_erase", args=[customer.pk]),
    ):
        body = client.get(url).content.decode()
        assert ' style="' not in body, url


def test_make_run_ends_with_the_address_and_the_logins(live_server, monkeypatch):
    """`make run`'s `ready` process waits for the site, then prints what a newcomer needs
    last, below the start-up lines of web, worker and beat, and stays."""
    from complaints.management.commands import seed_demo

    class Stayed(Exception):
        pass

    def sleep(seconds):
        if seconds >= 3600:
            raise Stayed
        return None

    call_command("seed_demo", stdout=io.StringIO())
    monkeypatch.setattr(seed_demo.time, "sleep", sleep)
    out = io.StringIO()
    with translation.override("en"), pytest.raises(Stayed):
        call_command("seed_demo", announce=live_server.url, stdout=out)
    text = out.getvalue()
    assert f"ready: {live_server.url}" in text
    assert text.index("ready") < text.index("advisor_sh") < text.index("E-mails are written to")


def test_the_ready_line_points_at_the_web_process_not_at_its_own_port():
    """honcho gives every process its own PORT (web 8000, worker 8100, …, ready 8300): the
    address `ready` waits for and prints is the web's, handed over by `make run`."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    processes = dict(
        line.split(":", 1)
        for line in (root / "Procfile.dev").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert "$PORT" in processes["web"]
    assert "PORT" not in processes["ready"].replace("DESK_URL", "")
    assert "DESK_URL=http://127.0.0.1:$(PORT)/" in (root / "Makefile").read_text()
