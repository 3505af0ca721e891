"""Scoping is the default: a dealer-owned model read without `scoped()` or a named escape
fails (in development and tests) or is logged (in production).

The test suite's own reads are allowed (tests/conftest.py); each test here that needs to see
the refusal turns that allowance off, so that it reads as the application would.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, F
from django.urls import reverse

from complaints.models import CaseEvent, Complaint
from core import scoping
from core.models import AuditEntry
from core.scoping import (
    ESCAPES,
    ScopedManagerMixin,
    ScopeRule,
    UnscopedRead,
    register,
    registered_models,
    scoped,
    unscoped,
)
from dealers.models import Customer, Dealer, Region
from followups.models import ContactAttempt
from followups.selectors import follow_up_contact
from tests.core.test_isolation import world  # noqa: F401  (the fixture)
from tests.factories import ComplaintFactory, UserFactory


@pytest.fixture
def as_the_application(monkeypatch):
    """Read as application code does: the test suite's own allowance is off."""
    monkeypatch.setattr(scoping, "_READS_ALLOWED_UNDER", ())


def _reads(manager, row):
    """Every way of evaluating a queryset, each on a fresh queryset of the manager."""
    return {
        "iterate": lambda: list(manager.all()),
        "values": lambda: list(manager.values_list("pk", flat=True)),
        "get": lambda: manager.get(pk=row.pk),
        "first": lambda: manager.filter(pk=row.pk).first(),
        "in_bulk": lambda: manager.in_bulk([row.pk]),
        "count": lambda: manager.count(),
        "exists": lambda: manager.filter(pk=row.pk).exists(),
        "aggregate": lambda: manager.aggregate(n=Count("pk")),
        "iterator": lambda: list(manager.iterator()),
        "get_or_create": lambda: manager.get_or_create(pk=row.pk),
    }


def _writes(manager, row):
    return {
        "update": lambda: manager.filter(pk=row.pk).update(**{row._meta.pk.name: F("pk")}),
        "delete": lambda: manager.filter(pk=-1).delete(),
    }


# The timeline and the audit log are append-only: their querysets refuse update() and delete()
# whatever the scope.
APPEND_ONLY = {CaseEvent, AuditEntry}


def test_every_dealer_owned_model_refuses_an_unscoped_read_and_allows_a_scoped_one(
    world,  # noqa: F811
    as_the_application,
):
    alice = world["alice"]
    superuser = world["actors"]["superuser"]
    for model in registered_models():
        label = model._meta.label
        manager = model._default_manager
        assert isinstance(manager, ScopedManagerMixin), label
        with unscoped("test"):
            row = manager.filter(**{scoping.rule_for(model).dealer_lookup: alice.dealer.pk})
            row = row.first()
        assert row is not None, f"no row of {label} for {alice.dealer}"
        operations = _reads(manager, row)
        if model not in APPEND_ONLY:
            operations |= _writes(manager, row)
        for name, operation in operations.items():
            with pytest.raises(UnscopedRead, match=model.__name__):
                operation()
            # The same operation, through the one rule or an escape, goes through.
            for scope in (
                scoped(model, superuser, write=True),
                manager.unscoped(reason="test"),
            ):
                try:
                    _reads(scope, row).get(name, _writes(scope, row).get(name))()
                except UnscopedRead as exc:  # pragma: no cover - the failure message
                    raise AssertionError(f"{label}.{name}: {exc}") from exc
        # An actor of the dealer reaches the row through the rule, and only then.
        own = alice.manager if label != "followups.Notification" else row.recipient
        assert scoped(model, own).filter(pk=row.pk).exists(), label
        assert not scoped(model, world["actors"]["stranger"]).filter(pk=row.pk).exists(), label


def test_related_managers_follow_the_instance_they_belong_to(
    alice, make_complaint, as_the_application
):
    complaint = make_complaint(alice, state="following_up", follow_up_contacts=["satisfied"])

    with pytest.raises(UnscopedRead):
        list(ContactAttempt.objects.filter(complaint=complaint))
    assert [c.outcome for c in complaint.contacts.all()] == ["satisfied"]
    assert complaint.contacts.count() == 1
    assert not complaint.deadlines.exists()
    # Following a foreign key reads the one row the instance points to.
    assert complaint.dealer.code == alice.dealer.code


def test_an_escape_has_a_known_name(alice):
    with pytest.raises(ValueError, match="Unknown scoping escape"):
        Complaint.objects.unscoped(reason="because")
    with pytest.raises(ValueError, match="Unknown scoping escape"), unscoped("because"):
        pass  # pragma: no cover
    assert {"sweep", "admin", "command", "migration", "test"} <= set(ESCAPES)


def test_a_queryset_built_in_an_escape_may_be_evaluated_after_it(alice, as_the_application):
    ComplaintFactory(dealer=alice.dealer)
    with unscoped("sweep"):
        cases = Complaint.objects.filter(dealer=alice.dealer)
        assert scoping.current_escape() == "sweep"
    assert scoping.current_escape() is None

    # A template evaluates it later, outside the block.
    assert cases.count() == 1


def test_writing_rows_needs_no_scope(alice, as_the_application):
    customer = Customer.objects.create(dealer=alice.dealer, name="Li Lei")
    customer.name = "Li Lei (WeChat)"
    customer.save()
    customer.refresh_from_db()
    Customer.objects.bulk_create([Customer(dealer=alice.dealer, name="Han Meimei")])
    Customer.objects.bulk_update([customer], ["name"])

    assert customer.name == "Li Lei (WeChat)"
    assert Customer.objects.none().count() == 0
    with pytest.raises(UnscopedRead):
        Customer.objects.filter(dealer=alice.dealer).count()
    assert scoped(Customer, alice.advisor).count() == 2


def test_a_union_with_an_unscoped_queryset_is_unscoped(alice, bob, as_the_application):
    ComplaintFactory(dealer=alice.dealer)
    ComplaintFactory(dealer=bob.dealer)
    mine = scoped(Complaint, alice.advisor)

    with pytest.raises(UnscopedRead):
        list(mine | Complaint.objects.all())
    with pytest.raises(UnscopedRead):
        list(mine.union(Complaint.objects.all()))
    assert len(mine | scoped(Complaint, alice.manager)) == 1
    # Its repr (a debugger, an error page) does not read it.
    assert "unscoped" in repr(Complaint.objects.all())


def test_in_production_an_unscoped_read_is_logged_and_goes_through(
    alice, as_the_application, caplog, settings
):
    ComplaintFactory(dealer=alice.dealer)
    settings.SCOPING_STRICT = False

    with caplog.at_level(logging.WARNING, logger="core.scoping"):
        counts = [Complaint.objects.filter(dealer=alice.dealer).count() for _ in range(3)]

    assert counts == [1, 1, 1]

    warnings = [r.getMessage() for r in caplog.records if r.name == "core.scoping"]
    # Once per call site, naming the model and the line.
    assert len(warnings) == 1
    assert (
        "Complaint read without a scope (count, at tests/core/test_scoping_default.py:"
        in (warnings[0])
    )


def test_the_tests_allowance_does_not_cover_the_application_code_they_call(alice):
    ComplaintFactory(dealer=alice.dealer)
    assert Complaint.objects.filter(dealer=alice.dealer).count() == 1  # the test's own read

    # A function of the application (its code object lives beside the app's modules)
    # that forgets the scope fails, although a test calls it.
    source = "def forgetful(dealer):\n    return Complaint.objects.filter(dealer=dealer)\n"
    filename = str(Path(django_settings.BASE_DIR) / "complaints" / "forgetful_selector.py")
    namespace = {"Complaint": Complaint}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102

    with pytest.raises(UnscopedRead, match="Complaint read without a scope"):
        list(namespace["forgetful"](alice.dealer))


def test_a_follow_up_contact_is_found_only_for_an_actor_of_its_dealer(alice, bob, make_complaint):
    complaint = make_complaint(alice, state="following_up", follow_up_contacts=["satisfied"])
    (contact,) = ContactAttempt.objects.filter(complaint=complaint)

    found = follow_up_contact(actor=alice.advisor, complaint=complaint, outcome="satisfied")
    assert found == contact
    assert follow_up_contact(actor=bob.manager, complaint=complaint, outcome="satisfied") is None


def test_a_model_without_a_scoped_manager_cannot_be_registered():
    with pytest.raises(ImproperlyConfigured, match="dealers.Region"):
        register(Region, ScopeRule("id"))
    assert Region not in registered_models()


@pytest.mark.django_db
def test_migrations_use_plain_managers(as_the_application):
    state = MigrationExecutor(connection).loader.project_state()
    for model in registered_models():
        historical = state.apps.get_model(model._meta.app_label, model._meta.model_name)
        assert not isinstance(historical._default_manager, ScopedManagerMixin)
        historical._default_manager.count()  # no scope, no escape: a migration just reads


def test_a_superuser_opens_every_dealer_owned_page_of_the_admin(client, alice, bob):
    ComplaintFactory(dealer=alice.dealer)
    ComplaintFactory(dealer=bob.dealer)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    for model in registered_models():
        if model not in admin.site._registry:
            continue
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, meta.label
        row = model._default_manager.first()
        if row is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
            assert client.get(change).status_code == 200, meta.label


def test_dealers_have_a_scope_registered():
    # The dealer itself is dealer-owned: its list is the dealers the actor works at.
    assert Dealer in registered_models()
    assert apps.get_model("followups", "Notification") in registered_models()


def test_users_and_api_clients_are_actors(alice):
    from core.actors import Actor
    from integrations.authentication import ApiClient
    from integrations.models import DealerApiKey

    api_key, _raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="DMS")
    client = ApiClient(api_key)

    assert isinstance(alice.advisor, Actor) and isinstance(client, Actor)
    assert scoped(Dealer, client).get() == alice.dealer


def test_the_operators_export_and_shell_read_every_dealer(alice, bob, as_the_application, capsys):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("dumpdata", "dealers.dealer", stdout=out)
    assert alice.dealer.code in out.getvalue() and bob.dealer.code in out.getvalue()

    call_command("shell", command="print('dealers:', Dealer.objects.count())", verbosity=0)
    assert "dealers: 2" in capsys.readouterr().out
