"""The generated network (complaints.loadgen, `manage.py generate_load`) obeys the rules the
code relies on, and the pages read it without error."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from complaints.choices import State
from complaints.loadgen import DEALER_PREFIX, Plan, generate
from complaints.models import CaseEvent, Complaint, ReferenceSequence
from complaints.services import complaint_create
from core.scoping import unscoped
from dealers.models import Customer, Dealer, Membership, RepairOrder, Vehicle
from dealers.validators import vin_problem
from followups.choices import KIND_STATES
from followups.models import OPEN, ContactAttempt, Deadline
from learning.models import CaseReview

CASES = 300
REFERENCE = re.compile(rf"^{DEALER_PREFIX}\d{{5}}-(\d{{4}})-(\d{{6}})$")


@pytest.fixture
def network(db):
    report = generate(Plan(cases=CASES))
    with unscoped("test"):
        yield report


def _cases():
    return Complaint.objects.filter(dealer__code__startswith=DEALER_PREFIX)


def test_every_state_of_the_state_machine_is_generated(network):
    states = Counter(_cases().values_list("state", flat=True))
    assert set(states) == set(State.values)
    assert sum(states.values()) == CASES
    assert states[State.CLOSED] > CASES / 2


def test_the_network_has_regions_dealers_and_staff(network):
    dealers = Dealer.objects.filter(code__startswith=DEALER_PREFIX)
    assert dealers.count() == Plan(cases=CASES).dealers
    assert dealers.values("region").distinct().count() >= 2
    for dealer in dealers:
        roles = set(Membership.objects.filter(dealer=dealer).values_list("role", flat=True))
        assert roles == {"advisor", "manager", "technician"}
    assert Membership.objects.filter(role="regional", region__code__startswith="LDR").exists()


def test_references_are_unique_well_formed_and_behind_the_counter(network):
    references = list(_cases().values_list("dealer_id", "reference", "created_at"))
    assert len({ref for _d, ref, _at in references}) == CASES
    highest: dict[tuple[int, int], int] = {}
    for dealer_id, reference, _at in references:
        match = REFERENCE.match(reference)
        assert match, reference
        key = (dealer_id, int(match.group(1)))
        highest[key] = max(highest.get(key, 0), int(match.group(2)))
    counters = {
        (row.dealer_id, row.year): row.last_value for row in ReferenceSequence.objects.all()
    }
    assert counters == highest


def test_the_next_case_of_a_generated_dealer_takes_the_next_reference(network):
    dealer = Dealer.objects.filter(code__startswith=DEALER_PREFIX).order_by("code")[0]
    advisor = Membership.objects.filter(dealer=dealer, role="advisor").first().user
    customer = Customer.objects.filter(dealer=dealer).first()
    complaint = complaint_create(
        dealer=dealer,
        actor=advisor,
        customer=customer,
        channel="phone",
        category="workmanship",
        description="Noise after the service",
    )
    year = REFERENCE.match(complaint.reference).group(1)
    before = ReferenceSequence.objects.get(dealer=dealer, year=int(year)).last_value
    assert complaint.reference == f"{dealer.code}-{year}-{before:06d}"
    assert _cases().filter(reference=complaint.reference).count() == 1


def test_timestamps_match_the_states(network):
    for complaint in _cases():
        ended = complaint.state in (State.CLOSED, State.WITHDRAWN)
        assert (complaint.closed_at is not None) == ended, complaint.reference
        if complaint.state == State.RECEIVED:
            assert complaint.first_response_at is None
        if complaint.state not in (State.RECEIVED, State.LISTENING, State.WITHDRAWN):
            assert complaint.first_response_at is not None, complaint.reference
        if complaint.closed_at:
            assert complaint.created_at < complaint.closed_at
        if complaint.state == State.AWAITING_APPROVAL:
            assert complaint.submitted_by_id is not None and complaint.severity == "serious"


def test_open_deadlines_belong_to_their_states_and_none_waits_for_the_sweep(network):
    from django.utils import timezone

    open_deadlines = Deadline.objects.filter(OPEN).select_related("complaint")
    assert open_deadlines.exists()
    for deadline in open_deadlines:
        assert deadline.complaint.state in KIND_STATES[deadline.kind], (
            deadline.kind,
            deadline.complaint.state,
        )
        # Due and not yet breached is the sweep's work, never the data's.
        assert deadline.breached_at is not None or deadline.due_at > timezone.now()
    assert not Deadline.objects.filter(
        OPEN, complaint__state__in=[State.CLOSED, State.WITHDRAWN]
    ).exists()
    kinds = set(Deadline.objects.values_list("kind", flat=True))
    assert {"first_response", "commitment", "repair_completion", "follow_up"} <= kinds


def test_every_row_belongs_to_its_case_dealer(network):
    for complaint in _cases().select_related("customer", "vehicle"):
        assert complaint.customer.dealer_id == complaint.dealer_id
        if complaint.vehicle:
            assert complaint.vehicle.dealer_id == complaint.dealer_id
            assert complaint.vehicle.owner_id == complaint.customer_id
    assert not RepairOrder.objects.exclude(dealer_id=models_f("vehicle__dealer_id")).exists()
    assert not CaseReview.objects.exclude(dealer_id=models_f("complaint__dealer_id")).exists()
    assert not Vehicle.objects.exclude(dealer_id=models_f("owner__dealer_id")).exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_timeline_contacts_and_reviews_come_with_the_cases(network):
    events = CaseEvent.objects.filter(complaint__in=_cases())
    assert 7 <= events.count() / CASES <= 14
    assert events.filter(kind="created").count() == CASES
    closed = _cases().filter(state=State.CLOSED)
    assert CaseReview.objects.filter(complaint__in=closed).count() == closed.count()
    assert ContactAttempt.objects.filter(complaint__in=closed).count() == 2 * closed.count()
    last = events.filter(complaint__in=closed, to_state=State.CLOSED)
    assert last.count() == closed.count()


def test_vins_are_valid_and_customers_carry_personal_data_fields(network):
    vehicles = Vehicle.objects.filter(dealer__code__startswith=DEALER_PREFIX)
    assert vehicles.exists()
    for vin in vehicles.values_list("vin", flat=True)[:200]:
        assert vin_problem(vin) is None, vin
    customer = Customer.objects.filter(dealer__code__startswith=DEALER_PREFIX).first()
    assert customer.name and customer.phone.startswith("13") and customer.erased_at is None


def test_a_second_run_reuses_the_network_and_reset_replaces_it(network):
    again = generate(Plan(cases=CASES))
    assert again.reused
    assert _cases().count() == CASES
    with pytest.raises(ValueError, match="--reset"):
        generate(Plan(cases=CASES * 2))
    replaced = generate(Plan(cases=CASES * 2), reset_first=True)
    assert not replaced.reused
    assert _cases().count() == CASES * 2


def test_open_deadlines_can_be_asked_for(db):
    generate(Plan(cases=CASES, open_deadlines=2_000))
    with unscoped("test"):
        assert Deadline.objects.filter(OPEN).count() == 2_000


def test_the_command_refuses_a_bad_size(db):
    with pytest.raises(CommandError):
        call_command("generate_load", "--cases", "0")


def test_the_command_generates_and_reuses(db, capsys):
    call_command("generate_load", "--cases", "60")
    call_command("generate_load", "--cases", "60")
    assert "reused" in capsys.readouterr().out


def test_selectors_and_pages_read_the_generated_cases(network):
    from complaints.selectors import complaint_worklist
    from integrations.models import DealerApiKey

    dealer = Dealer.objects.filter(code__startswith=DEALER_PREFIX).order_by("code")[0]
    advisor = Membership.objects.filter(dealer=dealer, role="advisor").first().user
    manager = Membership.objects.get(dealer=dealer, role="manager").user
    mine = list(complaint_worklist(actor=advisor, dealer=dealer, filters={"open": True}))
    assert mine
    complaint = _cases().filter(dealer=dealer, state=State.RESOLVING).first()
    client = Client()
    client.force_login(advisor)
    assert client.get("/").status_code == 200
    assert client.get(f"/cases/{complaint.reference}/").status_code == 200
    client.force_login(manager)
    assert client.get("/overview/").status_code == 200
    assert client.get("/analytics/").status_code == 200
    _key, raw = DealerApiKey.objects.create_key(dealer=dealer, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    listed = api.get("/api/v1/complaints/")
    assert listed.status_code == 200
    assert api.get(f"/api/v1/complaints/{complaint.reference}/").status_code == 200
    assert connection.in_atomic_block  # everything above ran in the test's transaction
