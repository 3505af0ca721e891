"""What one case creation over the API costs the database: a fixed number of statements, two
savepoints, and one transaction holding the idempotency record and the case together."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import apis
from complaints.models import CaseEvent, Complaint
from dealers.models import Customer
from followups.models import Deadline
from integrations.models import IdempotencyRecord

from .conftest import key_client

# The API key, the idempotency record (claimed, its wait reset, its response stored), the
# intake's savepoint (a refusal leaves a caller's transaction usable) and its lock on the
# customer's identity, the customer looked up, written and audited (in the savepoint that
# turns a duplicate into a 400), the case number, the case, its timeline event, the webhook
# endpoints, the dealer's time limit and the first-response deadline (the response names
# the deadline as written: no open deadline is read back).
STATEMENTS = 18


def _case(n: int) -> dict:
    return {
        "customer": {"dms_id": f"W{n}", "name": f"Load {n}", "phone": f"139{n:08d}"},
        "channel": "phone",
        "category": "workmanship",
        "description": "The car still pulls to the left after the alignment.",
        "customer_request": "Redo it.",
    }


def _post(api, n: int):
    return api.post(
        "/api/v1/complaints/", _case(n), format="json", HTTP_IDEMPOTENCY_KEY=f"cost-{n}"
    )


def test_one_api_creation_runs_a_fixed_number_of_statements_and_two_savepoints(
    postgres, alice_key, alice
):
    # Real commits: inside a test's transaction the request's own would be one more savepoint.
    api = key_client(alice_key.raw)
    assert _post(api, 1).status_code == 201  # the year's case counter exists from here on

    with CaptureQueriesContext(connection) as captured:
        response = _post(api, 2)

    assert response.status_code == 201, response.content
    logged = [query["sql"] for query in captured.captured_queries]
    # One transaction: Django logs its start and its end.
    assert (logged.count("BEGIN"), logged.count("COMMIT")) == (1, 1), logged
    statements = [sql for sql in logged if sql not in ("BEGIN", "COMMIT")]
    assert len(statements) == STATEMENTS, "\n".join(statements)
    # The intake's and the customer's, no other.
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 2
    # Nothing is read back: the response is the case as written.
    assert not [sql for sql in statements if sql.startswith('SELECT "complaints_complaint"')]
    assert not [sql for sql in statements if sql.startswith('SELECT "followups_deadline"')]


def test_a_creation_commits_once_with_its_idempotency_record(postgres, alice_key, alice):
    api = key_client(alice_key.raw)
    assert _post(api, 1).status_code == 201
    commits: list[bool] = []
    outside: list[str] = []

    def watch(execute, sql, params, many, context):
        if not connection.in_atomic_block and "api_dealerapikey" not in sql:
            outside.append(sql)
        return execute(sql, params, many, context)

    real_commit = connection.commit

    def commit():
        commits.append(True)
        real_commit()

    connection.commit = commit
    try:
        with connection.execute_wrapper(watch):
            response = _post(api, 2)
    finally:
        del connection.commit

    assert response.status_code == 201, response.content
    assert commits == [True]
    # Only the API key is read before the transaction opens.
    assert outside == []
    record = IdempotencyRecord.objects.get(key="cost-2")
    assert record.status_code == 201
    assert Complaint.objects.filter(reference=response.json()["reference"]).exists()


def test_a_failure_after_the_case_is_written_leaves_neither_case_nor_record(
    postgres, monkeypatch, alice_key, alice
):
    api = key_client(alice_key.raw)
    api.raise_request_exception = False

    def broken(*args, **kwargs):
        assert Complaint.objects.filter(customer__dms_id="W7").exists()  # written, uncommitted
        raise RuntimeError("the response could not be built")

    monkeypatch.setattr(apis, "complaint_response", broken)
    response = _post(api, 7)

    assert response.status_code == 500
    assert not IdempotencyRecord.objects.filter(key="cost-7").exists()
    assert not Complaint.objects.exists()
    assert not Customer.objects.filter(dms_id="W7").exists()
    assert not CaseEvent.objects.exists()
    assert not Deadline.objects.exists()

    monkeypatch.undo()
    retry = _post(api, 7)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Complaint.objects.count() == 1


def test_the_response_of_a_creation_is_the_case_as_read_back(postgres_db, alice_key, alice):
    api = key_client(alice_key.raw)
    created = _post(api, 3)

    read = api.get(f"/api/v1/complaints/{created.json()['reference']}/")

    assert created.status_code == 201
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]


def test_the_deadlines_of_a_creation_are_those_read_back_with_or_without_promises(
    postgres_db, alice_key, alice
):
    api = key_client(alice_key.raw)
    plain = _post(api, 4)
    promised = api.post(
        "/api/v1/complaints/",
        {**_case(5), "promises": [{"code": "callback_2h"}, {"code": "callback_20m"}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="cost-5",
    )

    assert (plain.status_code, promised.status_code) == (201, 201), promised.content
    assert [d["kind"] for d in plain.json()["open_deadlines"]] == ["first_response"]
    # The promises are open deadlines too, earliest due first, as a read lists them.
    assert [d["promise_code"] for d in promised.json()["open_deadlines"]] == [
        "callback_20m",
        "callback_2h",
        "",
    ]
    for created in (plain, promised):
        read = api.get(f"/api/v1/complaints/{created.json()['reference']}/")
        assert created.json()["open_deadlines"] == read.json()["open_deadlines"]
