"""A dealer network's worth of realistic cases, written with a few set-based statements per table.

`generate_load(cases=N)` creates regions, dealers (about one per 1,000 cases, at least 200
in the first region once there are 200), their staff, customers and vehicles, and N cases
received over three years and spread over every state of the state machine, each with the
timeline, deadlines, contacts, repair orders and (once closed) the review that its state
implies. The figures come from the case number through arithmetic and `hashint4`, so two
runs with the same N write the same data.

Every row is written with `INSERT ... SELECT ... FROM generate_series` (or from the cases
just written), with explicit ids taken above the table's highest id, so that children find
their parents by arithmetic instead of a look-up; the identity sequences are moved past them
at the end. The invariants the code relies on hold: references `CODE-YEAR-NNNNNN` unique and
behind each dealer's reference counter, timestamps that match the state (an open case has no
`closed_at`, a case past listening was answered), deadlines open only in the states their
kind belongs to and at most one open per single kind, never an open deadline that is due and
not yet breached (the sweep would take it for new work), and every row of a case belonging
to the case's dealer (customer, vehicle, repair order, review).

Generated dealers' codes start with `LD`; a second run with the same N finds them and their
cases and writes nothing (`reset=True` empties the case tables first).
"""

# Every statement here is built from model table and column names and this module's own
# constants; the only outside values (field defaults) travel as parameters.
# ruff: noqa: S608

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from dealers.validators import _TRANSLITERATION

DEALER_PREFIX = "LD"
REGION_PREFIX = "LDR"
CASES_PER_DEALER = 1_000
DEALERS_PER_REGION = 200
CUSTOMERS_PER_DEALER_SHARE = 2  # one customer (and vehicle) per two cases
REPAIR_ORDERS_PER_CASE = 2
YEARS = 3
# The newest cases are the open ones: 6 % of three years is about two months of intake.
OPEN_SHARE = 0.06
MIN_OPEN = 40
ADVISORS_PER_DEALER = 3

OPEN_STATES = [
    "received",
    "listening",
    "investigating",
    "assessing",
    "awaiting_approval",
    "resolving",
    "following_up",
    "reviewing",
]
# How far along the seven steps a state is; a withdrawn case stopped while listening.
RANK = {state: rank for rank, state in enumerate([*OPEN_STATES, "closed"])} | {"withdrawn": 1}

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明"]
CITIES = ["沪", "京", "粤", "苏", "浙", "川", "鲁", "豫", "鄂", "湘"]
MODELS = ["Lavida", "Passat", "Tiguan L", "Magotan", "Sagitar", "Teramont", "ID.4", "Bora"]
DESCRIPTIONS = [
    "刹车时有异响，客户很不满意",
    "保养后发动机故障灯亮",
    "The brakes squeal after the service",
    "空调不制冷，等了三个小时",
    "Waited two hours for an oil change",
    "车门密封条漏水",
    "Invoice shows parts that were not fitted",
    "轮胎气压报警反复出现",
    "导航系统经常死机",
    "Paint scratched in the car wash",
    "变速箱换挡顿挫",
    "Advisor was rude on the phone",
]
CATEGORIES = ["workmanship", "product_quality", "waiting_time", "billing", "parts", "attitude"]
COMPONENTS = ["brakes", "engine", "hvac", "body_paint", "electrical", "transmission", "none"]
CHANNELS = ["phone", "walk_in", "email", "web", "social", "oem_hotline"]
ROOT_CAUSES = ["diagnosis", "workmanship", "parts_supply", "communication"]
# VINs `LSVAB4C0?N` + a 7-digit serial: the check digit (position 9) is the fixed part's
# weighted sum plus the serial's, modulo 11.
VIN_PREFIX = "LSVAB4C0"
VIN_YEAR = "N"
_VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


@dataclass(frozen=True)
class Plan:
    """The sizes of one generated network."""

    cases: int
    open_deadlines: int | None = None

    @property
    def dealers(self) -> int:
        return max(3, self.cases // CASES_PER_DEALER)

    @property
    def regions(self) -> int:
        return max(2, math.ceil(self.dealers / DEALERS_PER_REGION))

    @property
    def customers_per_dealer(self) -> int:
        return max(5, self.cases // self.dealers // CUSTOMERS_PER_DEALER_SHARE)

    @property
    def customers(self) -> int:
        return self.customers_per_dealer * self.dealers

    @property
    def open_cases(self) -> int:
        return min(self.cases, max(MIN_OPEN, math.ceil(self.cases * OPEN_SHARE)))


@dataclass
class Report:
    reused: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        how = "reused" if self.reused else f"generated in {self.seconds:.0f} s"
        return [how] + [f"{table}: {count:,}" for table, count in self.rows.items()]


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _default(model_field: Any) -> tuple[str, list[Any]]:
    """A column the generator does not name: NULL, or the field's default as a parameter."""
    if model_field.null:
        return "NULL", []
    if model_field.has_db_default() and not model_field.has_default():
        return "DEFAULT", []
    value = model_field.get_default()
    if isinstance(value, datetime):
        return "now()", []
    if isinstance(value, list | dict):
        return "%s::jsonb", ["[]" if isinstance(value, list) else "{}"]
    if isinstance(value, bool | int | Decimal | str):
        return "%s", [value]
    return "%s", ["" if value is None else str(value)]


def insert(model: type[Model], expressions: dict[str, str], rows: str) -> int:
    """INSERT INTO model's table every column, from `expressions` (SQL over `rows`) or the
    field's default; returns the number of rows written. Only model column names and this
    module's constants go into the statement."""
    columns, values, params = [], [], []
    for model_field in model._meta.concrete_fields:
        column = str(model_field.column)
        if column not in expressions and model_field.primary_key:
            continue
        columns.append(connection.ops.quote_name(column))
        if column in expressions:
            values.append(expressions[column].replace("%", "%%"))
        else:
            sql, extra = _default(model_field)
            values.append(sql)
            params.extend(extra)
    unknown = set(expressions) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    statement = (
        f"INSERT INTO {_table(model)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {rows.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        written = cursor.rowcount
        # The next statements read these rows back: the planner must know how many there are.
        cursor.execute(f"ANALYZE {_table(model)}")
        return written


def _array(values: list[str]) -> str:
    return "(ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "])"


def _pick(values: list[str], key: str) -> str:
    """One of `values`, chosen by the whole number `key` (SQL)."""
    return f"{_array(values)}[1 + ({key}) % {len(values)}]"


def _rand(key: str, salt: int, modulo: int) -> str:
    """A stable pseudo-random whole number in [0, modulo) from `key` (SQL)."""
    return f"((hashint8(({key})::bigint * 7919 + {salt}) & 2147483647) % {modulo})"


def _base(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_table(model)}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _vin_sql(serial: str) -> str:
    fixed = sum(
        _TRANSLITERATION[ch] * w
        for ch, w in zip(VIN_PREFIX + "0" + VIN_YEAR, _VIN_WEIGHTS[:10], strict=True)
    )
    digits = f"lpad(({serial})::text, 7, '0')"
    weighted = " + ".join(
        f"substr({digits}, {i + 1}, 1)::int * {w}" for i, w in enumerate(_VIN_WEIGHTS[10:])
    )
    check = f"({fixed} + {weighted}) % 11"
    return (
        f"'{VIN_PREFIX}' || CASE WHEN {check} = 10 THEN 'X' ELSE ({check})::text END"
        f" || '{VIN_YEAR}' || {digits}"
    )


# --- the network --------------------------------------------------------------------------


def _generated_cases() -> tuple[int, int]:
    from complaints.models import Complaint
    from dealers.models import Dealer

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {_table(Dealer)} WHERE code LIKE %s",  # noqa: S608
            [DEALER_PREFIX + "%"],
        )
        dealers = int(cursor.fetchone()[0])
        cursor.execute(
            f"SELECT count(*) FROM {_table(Complaint)} c JOIN {_table(Dealer)} d "  # noqa: S608
            "ON d.id = c.dealer_id WHERE d.code LIKE %s",
            [DEALER_PREFIX + "%"],
        )
        return dealers, int(cursor.fetchone()[0])


def reset() -> None:
    """Empty the case tables and the generated network (TRUNCATE: the append-only timeline's
    trigger refuses row deletes)."""
    from complaints.models import Complaint
    from core.models import User
    from dealers.models import Customer, Dealer, Membership, Region, RepairOrder, Vehicle

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_table(Complaint)} CASCADE")
        cursor.execute(f"TRUNCATE {_table(RepairOrder)} CASCADE")
        generated = f"(SELECT id FROM {_table(Dealer)} WHERE code LIKE %s)"  # noqa: S608
        for model in (Vehicle, Customer, Membership):
            cursor.execute(
                f"DELETE FROM {_table(model)} WHERE dealer_id IN {generated}",  # noqa: S608
                [DEALER_PREFIX + "%"],
            )
        users = f"(SELECT id FROM {_table(User)} WHERE username LIKE %s)"  # noqa: S608
        cursor.execute(
            f"DELETE FROM {_table(Membership)} WHERE user_id IN {users}",  # noqa: S608
            ["load-%"],
        )
        cursor.execute(f"DELETE FROM {_table(User)} WHERE username LIKE %s", ["load-%"])  # noqa: S608
    # The rest cascades as the models say (reference counters, root-cause lists, rules).
    Dealer.objects.filter(code__startswith=DEALER_PREFIX).delete()
    Region.objects.filter(code__startswith=REGION_PREFIX).delete()


def generate(
    plan: Plan, *, reset_first: bool = False, log: Callable[[str], None] = lambda _: None
) -> Report:
    """The network of `plan`, generated, or found from an earlier run with the same size."""
    from core.scoping import unscoped

    started = time.monotonic()
    with unscoped("bench"):
        if reset_first:
            reset()
        dealers, cases = _generated_cases()
        if dealers == plan.dealers and cases >= plan.cases:
            return Report(reused=True, seconds=time.monotonic() - started, rows=counts())
        if dealers or cases:
            raise ValueError(
                f"The database holds another generated network ({dealers:,} dealers, "
                f"{cases:,} cases): run again with --reset to replace it."
            )
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Checks deferred by earlier statements of an enclosing transaction would keep
                # the foreign keys from being dropped: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cursor.execute("SET LOCAL work_mem = '128MB'")
            indexes = _drop_secondary_indexes()
            foreign_keys = _drop_foreign_keys()
            _network(plan, log)
            _cases(plan, log)
            _children(plan, log)
            # The facts the analytics read from the case (complaints.stored_facts), from the
            # timeline just written, before the indexes are built.
            from complaints.stored_facts import fill_stored_facts

            log("stored facts of the cases")
            fill_stored_facts()
            log(f"recreating {len(indexes)} indexes and {len(foreign_keys)} foreign keys")
            with connection.cursor() as cursor:
                for definition in indexes:
                    cursor.execute(definition)
                for table, name, definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            _move_sequences()
    # As autovacuum would have by now: statistics, and the visibility map that lets an index
    # answer alone. VACUUM cannot run inside a transaction (a test's): ANALYZE only there.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    log(command.lower())
    with connection.cursor() as cursor:
        for model in _loaded_models():
            cursor.execute(f"{command} {_table(model)}")
    return Report(reused=False, seconds=time.monotonic() - started, rows=counts())


def _loaded_models() -> list[type[Model]]:
    from complaints.models import CaseEvent, Complaint, ReferenceSequence
    from core.models import User
    from dealers.models import Customer, Dealer, Membership, Region, RepairOrder, Vehicle
    from followups.models import ContactAttempt, Deadline
    from learning.models import CaseReview, RootCauseCategory

    return [
        Region,
        Dealer,
        User,
        Membership,
        Customer,
        Vehicle,
        RepairOrder,
        Complaint,
        ReferenceSequence,
        CaseEvent,
        Deadline,
        ContactAttempt,
        RootCauseCategory,
        CaseReview,
    ]


def counts() -> dict[str, int]:
    """Rows per loaded table (the planner's estimate past a million: exact counts cost
    seconds each)."""
    result = {}
    with connection.cursor() as cursor:
        for model in _loaded_models():
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [model._meta.db_table],
            )
            estimate = int(cursor.fetchone()[0])
            if estimate < 1_000_000:
                cursor.execute(f"SELECT count(*) FROM {_table(model)}")  # noqa: S608
                estimate = int(cursor.fetchone()[0])
            result[model._meta.db_table] = estimate
    return result


def _drop_secondary_indexes() -> list[str]:
    """Drop the big tables' plain (non-unique) indexes for the load; their definitions, to
    build each once at the end instead of updating it row by row."""
    from complaints.models import CaseEvent, Complaint
    from dealers.models import Customer, RepairOrder, Vehicle
    from followups.models import ContactAttempt, Deadline
    from learning.models import CaseReview

    tables = [
        m._meta.db_table
        for m in (Complaint, CaseEvent, Deadline, ContactAttempt, Customer, Vehicle, RepairOrder)
    ] + [CaseReview._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def _drop_foreign_keys() -> list[tuple[str, str, str]]:
    """Drop the foreign keys from and to the loaded tables; their definitions, to add back at
    the end. Django's are deferred to the commit: left in place, a load of millions of rows
    would queue one check per row and reference and run them all at the commit, where adding
    a key back checks every row in one join."""
    tables = [m._meta.db_table for m in _loaded_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[])
                OR confrelid = ANY(%s::regclass[]))
            """,
            [tables, tables],
        )
        found = cursor.fetchall()
        for table, name, _definition in found:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return [(table, name, definition) for table, name, definition in found]


def _move_sequences() -> None:
    with connection.cursor() as cursor:
        for model in _loaded_models():
            table = model._meta.db_table
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {_table(model)}))",  # noqa: S608
                [table],
            )


def _network(plan: Plan, log: Callable[[str], None]) -> None:
    from core.models import User
    from dealers.models import Customer, Dealer, Membership, Region, Vehicle
    from learning.choices import DefaultRootCause
    from learning.models import RootCauseCategory

    log(f"{plan.regions} regions, {plan.dealers:,} dealers")
    region_base = _base(Region)
    insert(
        Region,
        {
            "id": f"{region_base} + r",
            "code": f"'{REGION_PREFIX}' || r",
            "name": "'Region ' || r",
        },
        f"generate_series(1, {plan.regions}) AS r",
    )
    dealer_base = _base(Dealer)
    insert(
        Dealer,
        {
            "id": f"{dealer_base} + d",
            "code": f"'{DEALER_PREFIX}' || lpad(d::text, 5, '0')",
            "name": f"{_pick(CITIES, 'd')} || ' Motors ' || d",
            # The first dealers of every region in turn: region 1 gets the most.
            "region_id": f"{region_base} + 1 + (d - 1) % {plan.regions}",
            "phone": "'021' || lpad(d::text, 8, '0')",
            "created_at": f"now() - interval '{YEARS + 1} years'",
            "updated_at": f"now() - interval '{YEARS + 1} years'",
        },
        f"generate_series(1, {plan.dealers}) AS d",
    )
    # Staff: per dealer advisors 1..3, a manager (4) and a technician (5); a regional user
    # per region after them.
    per_dealer = ADVISORS_PER_DEALER + 2
    user_base = _base(User)
    staff = plan.dealers * per_dealer
    insert(
        User,
        {
            "id": f"{user_base} + u",
            "username": "'load-' || u",
            "password": "'!'",
            "first_name": f"{_pick(GIVEN, 'u')}",
            "last_name": f"{_pick(SURNAMES, 'u / 3')}",
            "email": "'load-' || u || '@example.com'",
            "date_joined": f"now() - interval '{YEARS + 1} years'",
        },
        f"generate_series(1, {staff + plan.regions}) AS u",
    )
    roles = _array(["advisor"] * ADVISORS_PER_DEALER + ["manager", "technician"])
    insert(
        Membership,
        {
            "user_id": f"{user_base} + u",
            "role": f"{roles}[1 + (u - 1) % {per_dealer}]",
            "dealer_id": f"{dealer_base} + 1 + (u - 1) / {per_dealer}",
            "region_id": "NULL",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"generate_series(1, {staff}) AS u",
    )
    insert(
        Membership,
        {
            "user_id": f"{user_base} + {staff} + r",
            "role": "'regional'",
            "dealer_id": "NULL",
            "region_id": f"{region_base} + r",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"generate_series(1, {plan.regions}) AS r",
    )
    insert(
        RootCauseCategory,
        {
            "dealer_id": f"{dealer_base} + d",
            "code": f"{_array(list(DefaultRootCause.values))}[p]",
            "position": "p * 10",
        },
        f"generate_series(1, {plan.dealers}) AS d, "
        f"generate_series(1, {len(DefaultRootCause.values)}) AS p",
    )
    log(f"{plan.customers:,} customers and vehicles")
    customer_base = _base(Customer)
    # Customer k (1..C) belongs to dealer 1 + (k - 1) % D.
    insert(
        Customer,
        {
            "id": f"{customer_base} + k",
            "dealer_id": f"{dealer_base} + 1 + (k - 1) % {plan.dealers}",
            "dms_id": "'C' || lpad(k::text, 8, '0')",
            "name": f"{_pick(SURNAMES, 'k')} || {_pick(GIVEN, 'k / 7')} || "
            f"CASE WHEN k % 3 = 0 THEN {_pick(GIVEN, 'k / 11')} ELSE '' END",
            "phone": "'13' || lpad(k::text, 9, '0')",
            "email": "CASE WHEN k % 4 = 0 THEN 'customer' || k || '@example.com' ELSE '' END",
            "preferred_channel": _pick(["phone", "phone", "wechat", "sms", "email"], "k"),
            "created_at": f"now() - interval '{YEARS} years' - (k % 500) * interval '1 day'",
            "updated_at": f"now() - interval '{YEARS} years'",
        },
        f"generate_series(1, {plan.customers}) AS k",
    )
    vehicle_base = _base(Vehicle)
    insert(
        Vehicle,
        {
            "id": f"{vehicle_base} + k",
            "dealer_id": f"{dealer_base} + 1 + (k - 1) % {plan.dealers}",
            "owner_id": f"{customer_base} + k",
            "vin": _vin_sql("k"),
            "model": _pick(MODELS, "k"),
            "plate": f"{_pick(CITIES, 'k / 13')} || chr(65 + k % 8) "
            "|| lpad((k % 100000)::text, 5, '0')",
            "purchase_date": f"(now() - interval '{YEARS} years' "
            "- (k % 1500) * interval '1 day')::date",
            "mileage": "5000 + k % 120000",
            "created_at": f"now() - interval '{YEARS} years'",
            "updated_at": f"now() - interval '{YEARS} years'",
        },
        f"generate_series(1, {plan.customers}) AS k",
    )
    _remember(
        dealer_base=dealer_base,
        user_base=user_base,
        customer_base=customer_base,
        vehicle_base=vehicle_base,
    )


_BASES: dict[str, int] = {}


def _remember(**bases: int) -> None:
    _BASES.clear()
    _BASES.update(bases)


# --- the cases ----------------------------------------------------------------------------


def _cases(plan: Plan, log: Callable[[str], None]) -> None:
    from complaints.models import Complaint, ReferenceSequence

    log(f"{plan.cases:,} cases ({plan.open_cases:,} open)")
    n_dealers = plan.dealers
    dealer_base, user_base = _BASES["dealer_base"], _BASES["user_base"]
    per_dealer = ADVISORS_PER_DEALER + 2
    # Case n (0..N-1) of dealer 1 + n % D, its j-th (n / D); received in order of n over three
    # years, with an hour of jitter. The newest `open_cases` are open, in every open state in
    # turn (per dealer); the others closed, one in twenty withdrawn.
    first_open = plan.cases - plan.open_cases
    states = _array(OPEN_STATES)
    span = f"interval '{YEARS * 365} days'"
    case_rows = f"""(
        SELECT n, d, j, received,
            CASE WHEN n >= {first_open} THEN {states}[1 + j % {len(OPEN_STATES)}]
                 WHEN {_rand("n", 1, 20)} = 0 THEN 'withdrawn' ELSE 'closed' END AS state,
            {_rand("n", 2, 1000)} AS r
        FROM (
            SELECT n, n % {n_dealers} AS d, n / {n_dealers} AS j,
                now() - {span} + {span} * (n::float8 / {plan.cases})
                    - {_rand("n", 3, 3600)} * interval '1 second' - interval '1 hour' AS received
            FROM generate_series(0, {plan.cases - 1}) AS n
        ) g
    ) s"""
    rank = "CASE s.state " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in RANK.items()) + " END"
    # A case's whole life: received to closed within 3 to 40 days; an open case has lived
    # from `received` until now.
    closed_after = f"(3 + {_rand('n', 4, 38)}) * interval '1 day'"
    serious = "(s.r < 50 OR s.state = 'awaiting_approval')"
    advisor = f"{user_base} + s.d * {per_dealer} + 1 + s.n % {ADVISORS_PER_DEALER}"
    manager = f"{user_base} + s.d * {per_dealer} + {ADVISORS_PER_DEALER + 1}"
    technician = f"{user_base} + s.d * {per_dealer} + {ADVISORS_PER_DEALER + 2}"
    customer_k = f"1 + s.d + {n_dealers} * (s.j % {plan.customers_per_dealer})"
    description = f"{_pick(DESCRIPTIONS, 's.n')} || '（' || s.n || '）'"
    year = "extract(year FROM s.received AT TIME ZONE 'Asia/Shanghai')::int"
    case_base = _base(Complaint)
    _BASES["case_base"] = case_base
    insert(
        Complaint,
        {
            "id": f"{case_base} + 1 + s.n",
            "created_at": "s.received",
            "updated_at": f"""CASE WHEN s.state = 'closed' THEN s.received + {closed_after}
                WHEN s.state = 'withdrawn' THEN s.received + interval '1 day'
                ELSE now() - interval '1 minute' END""",
            "reference": f"""'{DEALER_PREFIX}' || lpad((1 + s.d)::text, 5, '0') || '-' || {year}
                || '-' || lpad((row_number() OVER (
                    PARTITION BY s.d, {year} ORDER BY s.n))::text, 6, '0')""",
            "dealer_id": f"{dealer_base} + 1 + s.d",
            "customer_id": f"{_BASES['customer_base']} + {customer_k}",
            "vehicle_id": f"CASE WHEN s.r % 10 = 9 THEN NULL ELSE "
            f"{_BASES['vehicle_base']} + {customer_k} END",
            "channel": _pick(CHANNELS, "s.n / 7"),
            "category": _pick(CATEGORIES, "s.n / 3"),
            "component": _pick(COMPONENTS, "s.n / 5"),
            "description": description,
            "original_description": description,
            "customer_request": "CASE WHEN s.r % 3 = 0 THEN '请尽快处理' ELSE '' END",
            "is_safety_related": f"({_pick(COMPONENTS, 's.n / 5')} = 'brakes')",
            "severity": f"CASE WHEN {serious} THEN 'serious' ELSE 'normal' END",
            "serious_reasons": f"""CASE WHEN {serious}
                THEN '["safety_function"]'::jsonb ELSE '[]'::jsonb END""",
            "fault_finding": f"""CASE WHEN {rank} >= 3 THEN
                {_pick(["confirmed", "confirmed", "not_found"], "s.r")} ELSE '' END""",
            "root_cause": f"CASE WHEN {rank} >= 3 THEN {_pick(ROOT_CAUSES, 's.r')} ELSE '' END",
            "responsibility": f"""CASE WHEN {rank} >= 4 THEN
                {_pick(["dealer", "dealer", "manufacturer", "customer"], "s.r / 3")} ELSE '' END""",
            "chosen_resolution": f"CASE WHEN {rank} >= 4 THEN '免费返修 / free repair' ELSE '' END",
            "compensation_amount": "CASE WHEN s.r % 9 = 0 THEN 500 ELSE 0 END",
            "agreed_resolution": f"CASE WHEN {rank} >= 6 THEN '免费返修' ELSE '' END",
            "actions_taken": f"CASE WHEN {rank} >= 6 THEN '已更换零件 / part replaced' ELSE '' END",
            "review_why": "CASE WHEN s.state = 'closed' THEN '首次修复不彻底' ELSE '' END",
            "review_handling": "CASE WHEN s.state = 'closed' THEN '处理及时' ELSE '' END",
            "assignee_id": f"CASE WHEN s.state = 'received' AND s.r % 2 = 0 THEN NULL "
            f"ELSE {advisor} END",
            "created_by_id": advisor,
            "submitted_by_id": f"CASE WHEN {serious} AND {rank} >= 4 AND s.state <> 'withdrawn' "
            f"THEN {advisor} END",
            "approved_by_id": f"CASE WHEN {serious} AND {rank} >= 5 AND s.state <> 'withdrawn' "
            f"THEN {manager} END",
            "technician_id": f"CASE WHEN {rank} >= 5 AND s.state <> 'withdrawn' "
            f"THEN {technician} END",
            "state": "s.state",
            "version": f"2 + {rank}",
            # Reached within a day once listening is over; listening cases half the time.
            "first_response_at": f"""CASE WHEN {rank} >= 2 OR (s.state = 'listening'
                AND s.r % 2 = 0) THEN s.received + (20 + s.r) * interval '1 minute' END""",
            "closed_at": f"""CASE WHEN s.state = 'closed' THEN s.received + {closed_after}
                WHEN s.state = 'withdrawn' THEN s.received + interval '1 day' END""",
        },
        case_rows,
    )
    # Each dealer's counter stands at its highest number per year: the next intake goes on.
    insert(
        ReferenceSequence,
        {
            "dealer_id": "c.dealer_id",
            "year": "c.year",
            "last_value": "c.last_value",
        },
        f"""(SELECT dealer_id, split_part(reference, '-', 2)::int AS year,
                max(split_part(reference, '-', 3)::int) AS last_value
             FROM {_table(Complaint)} WHERE id > {case_base}
             GROUP BY 1, 2) c""",
    )


# --- a case's timeline, deadlines, contacts, repair orders and review -----------------------

# The steps of a case's life up to its state: (order, kind, transition, from, to, rank at
# which it has happened, path): path 'normal' / 'serious' for the two ways through step 4,
# 'withdrawn' for the way out; and one case in how many has it (a note, a promise).
_STEPS = [
    (1, "created", "", "", "received", 0, "any", 1),
    (2, "note", "", "", "", 0, "any", 2),
    (3, "transition", "start_listening", "received", "listening", 1, "any", 1),
    (4, "commitment", "", "", "", 1, "any", 2),
    (5, "contact", "", "", "", 2, "open", 1),
    (6, "transition", "start_investigation", "listening", "investigating", 2, "open", 1),
    (7, "transition", "record_findings", "investigating", "assessing", 3, "open", 1),
    (8, "transition", "decide", "assessing", "resolving", 5, "normal", 1),
    (9, "transition", "submit_for_approval", "assessing", "awaiting_approval", 4, "serious", 1),
    (10, "transition", "approve", "awaiting_approval", "resolving", 5, "serious", 1),
    (11, "repair", "", "", "", 5, "open", 3),
    (12, "transition", "complete_action", "resolving", "following_up", 6, "open", 1),
    (13, "contact", "", "", "", 7, "open", 1),
    (14, "transition", "confirm_resolved", "following_up", "reviewing", 7, "open", 1),
    (15, "transition", "close", "reviewing", "closed", 8, "open", 1),
    (16, "learning", "", "", "", 8, "open", 5),
    (17, "transition", "withdraw", "listening", "withdrawn", 1, "withdrawn", 1),
]


def _case_source(extra: str = "") -> str:
    from complaints.models import Complaint

    case_base = _BASES["case_base"]
    rank = "CASE c.state " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in RANK.items()) + " END"
    return f"""(SELECT c.id, c.id - {case_base} - 1 AS n, c.dealer_id, c.state, c.severity,
            c.created_at, c.first_response_at, c.closed_at, c.assignee_id, c.created_by_id,
            c.vehicle_id, {rank} AS rank,
            coalesce(c.closed_at, now() - interval '1 minute') - c.created_at AS life
        FROM {_table(Complaint)} c WHERE c.id > {case_base}) c {extra}"""


def _children(plan: Plan, log: Callable[[str], None]) -> None:
    from complaints.models import CaseEvent
    from dealers.models import RepairOrder
    from followups.models import ContactAttempt
    from learning.models import CaseReview, RootCauseCategory

    log("timeline events")
    steps = ", ".join(
        f"({o}, '{k}', '{t}', '{f}', '{s}', {r}, '{p}', {e})" for o, k, t, f, s, r, p, e in _STEPS
    )
    # The i-th of a case's steps happens at i / (last step + 1) of its life so far.
    on_path = """(st.path = 'any'
        OR (st.path = 'withdrawn' AND c.state = 'withdrawn')
        OR (st.path <> 'withdrawn' AND c.state <> 'withdrawn' AND (st.path = 'open'
            OR (st.path = 'serious') = (c.severity = 'serious'))))"""
    at = "c.created_at + c.life * (st.o::float8 / 18)"
    insert(
        CaseEvent,
        {
            "complaint_id": "c.id",
            "kind": "st.kind",
            "transition": "st.transition",
            "from_state": "st.from_state",
            "to_state": "st.to_state",
            "actor_id": "c.created_by_id",
            "actor_label": "'load-' || c.created_by_id",
            "comment": """CASE st.kind WHEN 'note' THEN '客户来电说明情况'
                WHEN 'repair' THEN '更换刹车片' ELSE '' END""",
            "payload": "'{}'::jsonb",
            "created_at": f"CASE WHEN st.o = 1 THEN c.created_at ELSE {at} END",
        },
        _case_source(
            f"""JOIN (VALUES {steps})
                AS st(o, kind, transition, from_state, to_state, rank, path, every)
            ON st.rank <= c.rank AND c.n % st.every = 0 AND {on_path}"""
        ),
    )
    log("contacts")
    insert(
        ContactAttempt,
        {
            "complaint_id": "c.id",
            "dealer_id": "c.dealer_id",
            "channel": "'phone'",
            "outcome": "'informed'",
            "note": "'已告知处理进度'",
            "contacted_at": "c.first_response_at",
            "actor_id": "c.created_by_id",
            "actor_label": "'load-' || c.created_by_id",
            "created_at": "c.first_response_at",
        },
        _case_source("WHERE c.first_response_at IS NOT NULL"),
    )
    insert(
        ContactAttempt,
        {
            "complaint_id": "c.id",
            "dealer_id": "c.dealer_id",
            "channel": "'phone'",
            "outcome": "CASE WHEN c.n % 10 = 0 THEN 'dissatisfied' ELSE 'satisfied' END",
            "contacted_at": "c.created_at + c.life * (13.0 / 18)",
            "actor_id": "c.created_by_id",
            "actor_label": "'load-' || c.created_by_id",
            "created_at": "c.created_at + c.life * (13.0 / 18)",
        },
        _case_source("WHERE c.rank >= 7 AND c.state <> 'withdrawn'"),
    )
    log("deadlines")
    _deadlines(plan)
    log("repair orders")
    insert(
        RepairOrder,
        {
            "dealer_id": "c.dealer_id",
            "vehicle_id": "c.vehicle_id",
            "number": "'RO' || lpad(c.n::text, 8, '0') || '-' || o",
            "opened_on": "(c.created_at - (o * 30 + c.n % 30) * interval '1 day')::date",
            "mileage": "10000 + c.n % 90000",
            "work_summary": "'定期保养'",
            "created_at": "c.created_at",
            "updated_at": "c.created_at",
        },
        _case_source(
            f"CROSS JOIN generate_series(1, {REPAIR_ORDERS_PER_CASE}) AS o "
            "WHERE c.vehicle_id IS NOT NULL"
        ),
    )
    log("reviews")
    insert(
        CaseReview,
        {
            "complaint_id": "c.id",
            "dealer_id": "c.dealer_id",
            "why": "'首次修复不彻底'",
            "handled_well": "c.n % 5 <> 0",
            "handling_note": "'处理及时'",
            "root_cause_category_id": "rc.id",
            "cause_lies_with": "CASE WHEN c.n % 3 = 0 THEN 'person' ELSE 'system' END",
            "created_by_id": "c.created_by_id",
            "created_at": "c.closed_at",
        },
        _case_source(
            f"""JOIN {_table(RootCauseCategory)} rc ON rc.dealer_id = c.dealer_id
                AND rc.code = {_pick(ROOT_CAUSES, "c.n")}
            WHERE c.state = 'closed'"""
        ),
    )


def _deadlines(plan: Plan) -> None:
    from followups.models import Deadline

    common = {
        "complaint_id": "c.id",
        "dealer_id": "c.dealer_id",
        "started_at": "c.created_at",
        "created_at": "c.created_at",
        "owner_id": "NULL",
    }
    # An open deadline is either due later, or already breached (and escalated a day on);
    # never due and unbreached: that is the sweep's work, not the data's.
    future = "now() + (1 + c.n % 96) * interval '1 hour'"

    def open_or_breached(due: str, ended: str = "NULL") -> dict[str, str]:
        # Breached when it fell due before it was met or dropped (or, still open, by now).
        until = f"coalesce({ended}, now())"
        return {
            "due_at": due,
            "breached_at": f"CASE WHEN {due} <= {until} THEN {due} END",
            "escalation_level": f"""CASE WHEN {due} <= {until} - interval '1 day' THEN 2
                WHEN {due} <= {until} THEN 1 ELSE 0 END""",
            "escalated_at": f"CASE WHEN {due} <= {until} - interval '1 day' "
            f"THEN {due} + interval '1 day' END",
        }

    # First response: met when the customer was first reached; withdrawn before, cancelled;
    # still open (due 24 hours after intake) otherwise.
    due_24h = "c.created_at + interval '24 hours'"
    insert(
        Deadline,
        {
            **common,
            **open_or_breached(due_24h, "coalesce(c.first_response_at, c.closed_at)"),
            "kind": "'first_response'",
            "rule": "'first_response'",
            "satisfied_at": "c.first_response_at",
            "cancelled_at": "CASE WHEN c.first_response_at IS NULL THEN c.closed_at END",
            "outcome_reason": "CASE WHEN c.first_response_at IS NOT NULL "
            "THEN '@contact_reached:phone' WHEN c.closed_at IS NOT NULL THEN '@withdraw' "
            "ELSE '' END",
        },
        _case_source(),
    )
    # The one-click promise made at listening: kept on a closed case, open on an open one.
    insert(
        Deadline,
        {
            **common,
            **{
                k: f"CASE WHEN c.closed_at IS NULL THEN {v} END"
                for k, v in open_or_breached(future).items()
                if k != "due_at"
            },
            "escalation_level": "0",
            "due_at": f"CASE WHEN c.closed_at IS NULL THEN {future} "
            "ELSE c.created_at + interval '2 days' END",
            "kind": "'commitment'",
            "promise_code": _pick(["callback_2h", "feedback_24h", "feedback_2d"], "c.n"),
            "satisfied_at": "CASE WHEN c.closed_at IS NOT NULL "
            "THEN c.created_at + c.life * (5.0 / 18) END",
            "outcome_reason": "CASE WHEN c.closed_at IS NOT NULL THEN '@promise_kept' ELSE '' END",
        },
        _case_source("WHERE c.rank >= 1 AND c.n % 2 = 0"),
    )
    # The repair date promised at the decision (step 5) and the follow-up after it (step 6);
    # the approval a serious case waits for.
    for kind, rank_open, rank_met, at, met_by in (
        ("repair_completion", 5, 6, "12.0 / 18", "complete_action"),
        ("follow_up", 6, 7, "14.0 / 18", "confirm_resolved"),
        ("approval", 4, 5, "10.0 / 18", "approve"),
    ):
        serious_only = "AND c.severity = 'serious'" if kind == "approval" else ""
        insert(
            Deadline,
            {
                **common,
                "kind": f"'{kind}'",
                "rule": f"'{kind}'",
                "started_at": f"greatest(c.created_at, c.created_at + c.life * ({at}) "
                "- interval '2 days')",
                "due_at": f"CASE WHEN c.rank = {rank_open} THEN {future} "
                f"ELSE c.created_at + c.life * ({at}) + interval '1 day' END",
                "satisfied_at": f"CASE WHEN c.rank >= {rank_met} "
                f"THEN c.created_at + c.life * ({at}) END",
                "outcome_reason": f"CASE WHEN c.rank >= {rank_met} THEN '@{met_by}' ELSE '' END",
                "escalation_level": "0",
            },
            _case_source(f"WHERE c.rank >= {rank_open} AND c.state <> 'withdrawn' {serious_only}"),
        )
    # More open promises over the open cases, up to the asked number of open deadlines.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {_table(Deadline)} "  # noqa: S608
            "WHERE satisfied_at IS NULL AND cancelled_at IS NULL"
        )
        have = int(cursor.fetchone()[0])
    wanted = plan.open_deadlines or 0
    if wanted > have:
        insert(
            Deadline,
            {
                **common,
                "kind": "'commitment'",
                "promise": "'会再回电告知配件到货时间'",
                "due_at": "now() + (1 + (c.n + e) % 2000) * interval '1 hour'",
                "escalation_level": "0",
            },
            _case_source(
                f"""JOIN generate_series(1, {math.ceil((wanted - have) / plan.open_cases)}) AS e
                ON TRUE WHERE c.closed_at IS NULL LIMIT {wanted - have}"""
            ),
        )
