"""The audit log: every change to deadline rules, webhooks, API keys, staff roles,
customers, vehicles and repair orders is recorded with its actor and the fields before and
after, can never be changed or deleted, reads in the reader's language, and is shown to the
dealer's managers (all of it to superusers) beside the case timelines."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import translation

from complaints import services as complaint_services
from complaints.choices import State
from complaints.models import CaseEvent
from core.audit import audit_log, changes
from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AuditEntry
from dealers import services as dealer_services
from dealers.models import Customer, Membership, RepairOrder, Role, Vehicle
from dealers.services import mask
from followups import services as followup_services
from followups.models import DeadlineRule
from integrations import services as api_services
from integrations.models import DealerApiKey, WebhookEndpoint
from tests.api.conftest import key_client
from tests.complaints.rules import DECISION
from tests.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db


def only_entry(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, [e.action for e in AuditEntry.objects.all()]
    return entries[0]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def alice_key(alice):
    api_key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="SH01 DMS")
    api_key.raw = raw
    return api_key


# --- each change is recorded, with who and what ------------------------------------------


def test_deadline_rule_change_is_recorded_with_manager_and_before_after(alice):
    followup_services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="first_response", hours=12
    )
    followup_services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="first_response", hours=8
    )
    first, second = AuditEntry.objects.filter(action="deadline_rule.changed").order_by("id")
    assert first.actor == alice.manager and first.dealer_id == alice.dealer.pk
    assert first.data["before"] == {"hours": None} and first.data["after"] == {"hours": 12}
    assert second.data["before"] == {"hours": 12} and second.data["after"] == {"hours": 8}
    assert second.object_type == "followups.deadlinerule"


def test_a_refused_rule_change_leaves_no_entry(alice):
    with pytest.raises(ValidationFailed):
        followup_services.deadline_rule_update(
            dealer=alice.dealer, actor=alice.manager, kind="first_response", hours=48
        )
    with pytest.raises(PermissionDenied):
        followup_services.deadline_rule_update(
            dealer=alice.dealer, actor=alice.advisor, kind="approval", hours=4
        )
    assert not AuditEntry.objects.exists()


def test_saving_a_rule_unchanged_writes_no_entry(alice):
    for _ in range(2):
        followup_services.deadline_rule_update(
            dealer=alice.dealer, actor=alice.manager, kind="approval", hours=4
        )
    assert AuditEntry.objects.filter(action="deadline_rule.changed").count() == 1


def test_removing_a_rule_is_recorded(alice):
    rule = followup_services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="approval", hours=4
    )
    followup_services.deadline_rule_delete(rule=rule, actor=alice.manager)
    entry = only_entry("deadline_rule.deleted")
    assert entry.data["before"] == {"hours": 4, "safety_hours": None, "remind_before_hours": None}
    assert not DeadlineRule.objects.exists()


def test_webhook_registered_through_the_api_names_the_key(alice, alice_key):
    api = key_client(alice_key.raw)
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "https://dms.example.com/hook", "events": ["case.created"]},
        format="json",
    )
    assert response.status_code == 201
    entry = only_entry("webhook.created")
    assert entry.actor is None
    assert entry.api_key_id == alice_key.pk and alice_key.prefix in entry.api_key_label
    assert entry.data["after"]["url"] == "https://dms.example.com/hook"
    assert "secret" not in entry.data["after"], "the signing secret never reaches the log"

    assert api.delete(f"/api/v1/webhooks/{response.json()['id']}/").status_code == 204
    entry = only_entry("webhook.deactivated")
    assert entry.data == {"before": {"is_active": True}, "after": {"is_active": False}}
    assert entry.api_key_id == alice_key.pk


def test_api_key_from_the_command_line_is_logged_as_the_system(alice):
    call_command("createapikey", "--dealer", "SH01", "--name", "Main DMS", stdout=StringIO())
    api_key = DealerApiKey.objects.get()
    entry = only_entry("api_key.created")
    assert entry.actor is None and entry.api_key_id is None
    assert entry.dealer_id == alice.dealer.pk
    assert entry.data["after"]["prefix"] == api_key.prefix
    assert "hashed_key" not in entry.data["after"]

    api_services.api_key_revoke(api_key=api_key, actor=alice.manager)
    api_services.api_key_revoke(api_key=api_key, actor=alice.manager)
    entry = only_entry("api_key.revoked")
    assert entry.actor == alice.manager
    assert entry.data == {"before": {"revoked": False}, "after": {"revoked": True}}


def test_only_managers_manage_api_keys(alice):
    with pytest.raises(PermissionDenied):
        api_services.api_key_create(dealer=alice.dealer, actor=alice.advisor, name="x")
    assert not DealerApiKey.objects.exists() and not AuditEntry.objects.exists()


def test_memberships_created_changed_and_deleted_are_recorded(alice, superuser):
    user = UserFactory(username="newcomer")
    membership = dealer_services.membership_create(
        actor=superuser, user=user, role=Role.ADVISOR, dealer=alice.dealer
    )
    dealer_services.membership_update(
        membership=membership, actor=superuser, role=Role.MANAGER, dealer=alice.dealer
    )
    dealer_services.membership_delete(membership=membership, actor=superuser)

    created = only_entry("membership.created")
    assert created.actor == superuser and created.dealer_id == alice.dealer.pk
    assert created.data["after"]["role"] == "advisor"
    changed = only_entry("membership.changed")
    assert changed.data == {"before": {"role": "advisor"}, "after": {"role": "manager"}}
    deleted = only_entry("membership.deleted")
    assert deleted.data["before"]["user"] == user.pk and "after" not in deleted.data
    assert not Membership.objects.filter(user=user).exists()


def test_only_administrators_give_roles(alice):
    with pytest.raises(PermissionDenied):
        dealer_services.membership_create(
            actor=alice.manager, user=UserFactory(), role=Role.MANAGER, dealer=alice.dealer
        )
    assert not AuditEntry.objects.exists()


def test_customer_vehicle_and_repair_order_writes_are_recorded(alice):
    customer = dealer_services.customer_create(
        dealer=alice.dealer, actor=alice.advisor, name="Wang Fang", phone="13800138000"
    )
    dealer_services.customer_update(
        customer=customer, actor=alice.manager, fields={"phone": "13900139000"}
    )
    vin = make_vin()
    vehicle, _ = dealer_services.vehicle_upsert(
        dealer=alice.dealer, actor=alice.advisor, vin=vin, owner=customer, fields={"plate": "A1"}
    )
    dealer_services.vehicle_upsert(
        dealer=alice.dealer, actor=alice.advisor, vin=vin, fields={"mileage": 42000}
    )
    dealer_services.repair_order_upsert(
        vehicle=vehicle,
        actor=alice.advisor,
        number="RO-1",
        fields={"opened_on": dt.date(2026, 1, 5)},
    )

    created = only_entry("customer.created")
    assert created.actor == alice.advisor and created.data["after"]["name"] == mask("Wang Fang")
    changed = only_entry("customer.changed")
    assert changed.actor == alice.manager
    # Personal values are kept masked: the log is append-only and an erasure must clear them.
    assert changed.data == {
        "before": {"phone": mask("13800138000")},
        "after": {"phone": mask("13900139000")},
    }
    assert only_entry("vehicle.created").data["after"]["owner"] == customer.pk
    assert only_entry("vehicle.changed").data == {
        "before": {"mileage": None},
        "after": {"mileage": 42000},
    }
    assert only_entry("repair_order.created").data["after"]["opened_on"] == "2026-01-05"
    assert {e.dealer_id for e in AuditEntry.objects.all()} == {alice.dealer.pk}


def test_customer_written_through_the_api_names_the_key(alice, alice_key):
    api = key_client(alice_key.raw)
    assert api.put("/api/v1/customers/C-1/", {"name": "Li Wei"}, format="json").status_code == 201
    assert (
        api.put("/api/v1/customers/C-1/", {"name": "Li Wei Jr"}, format="json").status_code == 200
    )
    assert only_entry("customer.created").api_key_id == alice_key.pk
    entry = only_entry("customer.changed")
    assert entry.api_key_id == alice_key.pk
    assert entry.data == {"before": {"name": mask("Li Wei")}, "after": {"name": mask("Li Wei Jr")}}


def test_unknown_action_codes_are_refused(alice):
    with pytest.raises(ValueError):
        audit_log(actor=None, action="customer.teleported", target=None, dealer_id=None)


# --- append-only -------------------------------------------------------------------------


@pytest.fixture
def entry(alice):
    followup_services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="approval", hours=4
    )
    return AuditEntry.objects.get()


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(entry):
    entry.action = "deadline_rule.deleted"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "deadline_rule.changed"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET data = '{}'::jsonb WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ],
)
def test_an_entry_cannot_be_changed_or_deleted_with_raw_sql(entry, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).data["after"] == {"hours": 4}


def test_the_admin_shows_entries_but_cannot_change_or_delete_them(client, entry, superuser):
    client.force_login(superuser)
    change_url = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"action": "x"}).status_code == 403
    delete_url = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# --- read in the reader's language -------------------------------------------------------


def test_text_is_rendered_in_the_readers_language(entry, alice):
    with translation.override("en"):
        assert entry.text == f"{alice.manager} changed the deadline rule “Manager's approval”"
        assert [(c.field, c.before, c.after) for c in changes(entry)] == [("hours", "—", "4")]
    with translation.override("zh-hans"):
        text = entry.text
        assert str(alice.manager) in text
        assert "changed" not in text and "修改" in text
        assert changes(entry)[0].field == "小时数"


def test_system_and_api_key_actors_read_in_the_readers_language(alice):
    call_command("createapikey", "--dealer", "SH01", "--name", "Main DMS", stdout=StringIO())
    entry = only_entry("api_key.created")
    with translation.override("en"):
        assert entry.text.startswith("System created the API key Main DMS (")
    with translation.override("zh-hans"):
        assert entry.text.startswith("系统")


# --- who reads the log -------------------------------------------------------------------


@pytest.fixture
def both_logs(alice, bob):
    for staff in (alice, bob):
        followup_services.deadline_rule_update(
            dealer=staff.dealer, actor=staff.manager, kind="approval", hours=4
        )
        customer = dealer_services.customer_create(
            dealer=staff.dealer, actor=staff.advisor, name=f"Customer of {staff.dealer.code}"
        )
        complaint = complaint_services.complaint_create(
            dealer=staff.dealer,
            actor=staff.advisor,
            customer=customer,
            channel="phone",
            category="workmanship",
            description="Noise after the repair",
        )
        complaint_services.complaint_add_note(
            complaint=complaint, actor=staff.advisor, comment=f"Note at {staff.dealer.code}"
        )


def customer_label(code: str) -> str:
    return f"#{Customer.objects.unscoped(reason='test').get(name=f'Customer of {code}').pk}"


def test_manager_reads_their_dealers_changes_and_case_events_newest_first(
    client, alice, bob, both_logs
):
    client.force_login(alice.manager)
    with translation.override("en"):
        response = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.text
    # The log names customers by id, never by name (personal data).
    sh01, gz02 = (customer_label(code) for code in ("SH01", "GZ02"))
    assert f"added the customer {sh01}<" in body and "Note at SH01" in body
    assert f"added the customer {gz02}<" not in body and "Note at GZ02" not in body
    assert "Customer of SH01" not in body
    actions = [line.action for line in response.context["lines"]]
    assert actions == [
        "case.note_added",
        "case.created",
        "customer.created",
        "deadline_rule.changed",
    ]


def test_superuser_reads_every_dealers_changes(client, alice, bob, both_logs, superuser):
    client.force_login(superuser)
    with translation.override("en"):
        body = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="en").text
    assert f"the customer {customer_label('SH01')}<" in body
    assert f"the customer {customer_label('GZ02')}<" in body


@pytest.mark.parametrize("who", ["advisor", "regional"])
def test_advisors_and_regional_staff_cannot_read_the_log(client, alice, both_logs, who):
    client.force_login(getattr(alice, who))
    assert client.get(reverse("audit_log")).status_code == 404


def test_a_stranger_cannot_read_the_log(client, stranger, both_logs):
    client.force_login(stranger)
    assert client.get(reverse("audit_log")).status_code == 404


def test_managers_see_the_audit_log_in_the_navigation(client, alice):
    client.force_login(alice.manager)
    assert reverse("audit_log") in client.get(reverse("home")).text
    client.force_login(alice.advisor)
    assert reverse("audit_log") not in client.get(reverse("home")).text


def test_an_unreadable_cursor_is_ignored(client, alice, both_logs):
    client.force_login(alice.manager)
    response = client.get(reverse("audit_log"), {"before": "2026-13-45T99:00"})
    assert response.status_code == 200
    assert len(response.context["lines"]) == 4


# --- the case timeline in the same vocabulary --------------------------------------------


def test_case_events_have_action_codes(alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    complaint_services.complaint_transition(
        complaint=complaint, name="decide", actor=alice.manager, data=DECISION
    )
    complaint_services.complaint_add_note(complaint=complaint, actor=alice.advisor, comment="hi")
    actions = [e.action for e in CaseEvent.objects.filter(complaint=complaint).order_by("id")]
    assert actions[-2:] == ["case.decided", "case.note_added"]
    assert not AuditEntry.objects.exists(), "case transitions stay in the timeline only"


# --- the admin goes through the services -------------------------------------------------


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_admin_saving_a_customer_writes_an_audit_entry(admin_client, alice, superuser):
    customer = CustomerFactory(dealer=alice.dealer, name="Zhang Wei", phone="1")
    response = admin_client.post(
        reverse("admin:dealers_customer_change", args=[customer.pk]),
        {"name": "Zhang Wei", "phone": "2", "email": customer.email, "preferred_channel": "phone"},
    )
    assert response.status_code == 302
    entry = only_entry("customer.changed")
    assert entry.actor == superuser
    assert entry.data == {"before": {"phone": mask("1")}, "after": {"phone": mask("2")}}


def test_admin_adding_a_customer_goes_through_the_service(admin_client, alice):
    response = admin_client.post(
        reverse("admin:dealers_customer_add"),
        {"dealer": alice.dealer.pk, "name": "Chen Jie", "preferred_channel": "phone"},
    )
    assert response.status_code == 302
    assert Customer.objects.filter(name="Chen Jie").count() == 1
    assert only_entry("customer.created").data["after"]["name"] == mask("Chen Jie")


def test_admin_refused_at_save_after_its_check_passed_saves_nothing_and_says_why(
    admin_client, alice, monkeypatch
):
    from dealers.admin import CustomerAdmin

    real = CustomerAdmin.service_save
    calls = []

    def refuse_the_second_time(self, request, instance, data, change):
        calls.append(change)
        if len(calls) > 1:  # what changed between the form's check and the save
            raise ValidationFailed({"name": ["Taken in the meantime."]})
        return real(self, request, instance, data, change)

    monkeypatch.setattr(CustomerAdmin, "service_save", refuse_the_second_time)
    response = admin_client.post(
        reverse("admin:dealers_customer_add"),
        {"dealer": alice.dealer.pk, "name": "Chen Jie", "preferred_channel": "phone"},
    )

    assert response.status_code == 403
    assert not Customer.objects.filter(name="Chen Jie").exists()
    assert not AuditEntry.objects.filter(action="customer.created").exists()


def test_admin_refuses_a_vin_with_a_wrong_check_digit(admin_client, alice):
    vin = make_vin()
    wrong = vin[:8] + str((int(vin[8]) + 1) % 10 if vin[8].isdigit() else 0) + vin[9:]
    response = admin_client.post(
        reverse("admin:dealers_vehicle_add"), {"dealer": alice.dealer.pk, "vin": wrong}
    )
    assert response.status_code == 200
    assert "check digit" in response.text
    assert not Vehicle.objects.exists() and not AuditEntry.objects.exists()


def test_admin_cannot_give_a_vehicle_another_dealers_customer(admin_client, alice, bob):
    vehicle = VehicleFactory(dealer=alice.dealer)
    theirs = CustomerFactory(dealer=bob.dealer)
    response = admin_client.post(
        reverse("admin:dealers_vehicle_change", args=[vehicle.pk]),
        {"vin": vehicle.vin, "owner": theirs.pk},
    )
    assert response.status_code == 200
    assert "another dealer" in response.text
    vehicle.refresh_from_db()
    assert vehicle.owner_id != theirs.pk and not AuditEntry.objects.exists()


def test_admin_cannot_lengthen_a_firm_limit(admin_client, alice):
    response = admin_client.post(
        reverse("admin:followups_deadlinerule_add"),
        {"dealer": alice.dealer.pk, "kind": "first_response", "hours": 48},
    )
    assert response.status_code == 200
    assert "may only shorten it" in response.text
    assert not DeadlineRule.objects.exists() and not AuditEntry.objects.exists()


def test_admin_changes_a_rule_through_the_service(admin_client, alice, superuser):
    response = admin_client.post(
        reverse("admin:followups_deadlinerule_add"),
        {"dealer": alice.dealer.pk, "kind": "first_response", "hours": 12},
    )
    assert response.status_code == 302
    assert DeadlineRule.objects.get().hours == 12
    assert only_entry("deadline_rule.changed").actor == superuser


def test_admin_deletes_a_rule_only_through_the_service(admin_client, alice, superuser):
    rule = followup_services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="approval", hours=4
    )
    response = admin_client.post(
        reverse("admin:followups_deadlinerule_delete", args=[rule.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not DeadlineRule.objects.exists()
    assert only_entry("deadline_rule.deleted").actor == superuser


def test_admin_cannot_delete_a_timeline_row_or_a_repair_order(admin_client, alice, make_complaint):
    complaint = make_complaint(alice)
    complaint_services.complaint_add_note(complaint=complaint, actor=alice.advisor, comment="x")
    event = CaseEvent.objects.filter(complaint=complaint).last()
    url = reverse("admin:complaints_caseevent_delete", args=[event.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert CaseEvent.objects.filter(pk=event.pk).exists()
    vehicle = VehicleFactory(dealer=alice.dealer)
    order = RepairOrder.objects.create(
        dealer=alice.dealer, vehicle=vehicle, number="RO-9", opened_on=dt.date(2026, 1, 1)
    )
    url = reverse("admin:dealers_repairorder_delete", args=[order.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403


def test_admin_membership_goes_through_the_service(admin_client, alice, superuser):
    user = UserFactory(username="newcomer")
    response = admin_client.post(
        reverse("admin:dealers_membership_add"),
        {"user": user.pk, "role": "manager", "dealer": alice.dealer.pk},
    )
    assert response.status_code == 302
    assert only_entry("membership.created").actor == superuser
    membership = Membership.objects.get(user=user)
    response = admin_client.post(
        reverse("admin:dealers_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert only_entry("membership.deleted").data["before"]["role"] == "manager"


def test_admin_cannot_edit_roles_inline_on_the_user(admin_client, alice):
    response = admin_client.get(reverse("admin:core_user_change", args=[alice.advisor.pk]))
    assert response.status_code == 200
    assert "Service advisor" in response.text
    assert 'name="memberships-0-role"' not in response.text


def test_admin_api_key_is_created_through_the_service(admin_client, alice, superuser):
    response = admin_client.post(
        reverse("admin:api_dealerapikey_add"), {"dealer": alice.dealer.pk, "name": "Admin DMS"}
    )
    assert response.status_code == 302
    assert DealerApiKey.objects.get().name == "Admin DMS"
    assert only_entry("api_key.created").actor == superuser


def test_admin_webhook_change_is_recorded_and_https_is_enforced(admin_client, alice, superuser):
    endpoint = WebhookEndpoint.objects.create(dealer=alice.dealer, url="https://a.example.com/h")
    url = reverse("admin:api_webhookendpoint_change", args=[endpoint.pk])
    refused = admin_client.post(url, {"url": "http://a.example.com/h", "events": "[]"})
    assert refused.status_code == 200
    assert not AuditEntry.objects.exists()
    done = admin_client.post(
        url, {"url": "https://b.example.com/h", "events": "[]", "is_active": "on"}
    )
    assert done.status_code == 302
    entry = only_entry("webhook.changed")
    assert entry.actor == superuser
    assert entry.data == {
        "before": {"url": "https://a.example.com/h"},
        "after": {"url": "https://b.example.com/h"},
    }


def test_admin_escalate_action_is_audited(admin_client, alice, make_complaint, superuser):
    complaint = make_complaint(alice)
    response = admin_client.post(
        reverse("admin:complaints_complaint_changelist"),
        {"action": "escalate", "_selected_action": [complaint.pk]},
    )
    assert response.status_code == 302
    entry = only_entry("admin.complaint.escalate")
    assert entry.actor == superuser and entry.dealer_id == alice.dealer.pk
    assert complaint.reference in entry.text


def test_admin_dealer_change_is_logged_as_an_admin_entry(admin_client, alice, superuser):
    dealer = alice.dealer
    response = admin_client.post(
        reverse("admin:dealers_dealer_change", args=[dealer.pk]),
        {
            "name": "Renamed dealer",
            "region": dealer.region_id,
            "timezone": dealer.timezone,
            "currency": dealer.currency,
            "approval_limit": "3000.00",
        },
    )
    assert response.status_code == 302
    entry = only_entry("admin.dealer.changed")
    assert entry.actor == superuser and entry.dealer_id == dealer.pk
    assert entry.data["after"] == {"name": "Renamed dealer", "approval_limit": "3000.00"}


def test_admin_setting_a_password_is_logged_without_the_password(admin_client, alice, superuser):
    url = reverse("admin:auth_user_password_change", args=[alice.advisor.pk])
    response = admin_client.post(
        url,
        {"password1": "A long new secret 42", "password2": "A long new secret 42"},
    )
    assert response.status_code == 302
    entry = only_entry("admin.user.password_set")
    assert entry.actor == superuser and entry.dealer_id is None
    assert "A long new secret 42" not in str(entry.data)
    with translation.override("en"):
        assert entry.text == f"{superuser} set a new password for {alice.advisor} in the admin"


def test_older_entries_are_reached_page_by_page(client, alice, both_logs, monkeypatch):
    from complaints import views

    monkeypatch.setattr(views.manager, "AUDIT_PAGE", 3)
    client.force_login(alice.manager)
    first = client.get(reverse("audit_log"))
    assert [line.action for line in first.context["lines"]] == [
        "case.note_added",
        "case.created",
        "customer.created",
    ]
    older = client.get(reverse("audit_log"), {"before": first.context["older"]})
    assert [line.action for line in older.context["lines"]] == ["deadline_rule.changed"]
    assert older.context["older"] is None


def test_paging_loses_no_line_when_many_were_written_at_one_instant(
    client, alice, both_logs, monkeypatch
):
    from django.utils import timezone

    from complaints import views

    complaint = CaseEvent.objects.filter(complaint__dealer=alice.dealer).first().complaint
    # A sweep writes its timeline events with one timestamp; a page may end among them.
    at = timezone.now()
    complaint_services.complaint_record_system_events(
        entries=[(complaint.pk, {"action": "breached", "deadline": n}) for n in range(7)], at=at
    )
    monkeypatch.setattr(views.manager, "AUDIT_PAGE", 3)
    client.force_login(alice.manager)
    seen, cursor = [], None
    for _page in range(10):
        response = client.get(reverse("audit_log"), {"before": cursor} if cursor else {})
        seen += [(line.source, line.pk) for line in response.context["lines"]]
        cursor = response.context["older"]
        if cursor is None:
            break
    expected = CaseEvent.objects.filter(complaint__dealer=alice.dealer).count()
    expected += AuditEntry.objects.filter(dealer_id=alice.dealer.pk).count()
    assert len(seen) == len(set(seen)) == expected


def test_a_malformed_page_cursor_shows_the_first_page(client, alice, both_logs):
    client.force_login(alice.manager)
    first = client.get(reverse("audit_log"))
    for cursor in ("yesterday", "2026-01-01T00:00:00|x|1", "2026-01-01|1|2|3", "\x00"):
        response = client.get(reverse("audit_log"), {"before": cursor})
        assert response.status_code == 200
        assert response.context["lines"] == first.context["lines"]


def test_the_log_page_reads_a_bounded_number_of_queries(
    client, alice, both_logs, django_assert_max_num_queries
):
    for number in range(30):
        dealer_services.customer_create(
            dealer=alice.dealer, actor=alice.advisor, name=f"Customer {number}"
        )
    client.force_login(alice.manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("audit_log"))
    assert len(response.context["lines"]) == 34
