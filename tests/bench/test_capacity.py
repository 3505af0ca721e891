"""The capacity model: the projection is arithmetic on measured sizes, and the sizes are
read from the database."""

import pytest

from bench.capacity import (
    ESTIMATED_BYTES_PER_ROW,
    GROWING,
    Network,
    OneServer,
    Workload,
    largest_network,
    measured_bytes_per_row,
    project,
    report,
)
from tests.factories import ComplaintFactory

# About what the generated million cases measure (bytes on disk per row, indexes included).
SIZES = {name: 600.0 for name in GROWING} | {"cases": 2500.0, "timeline events": 450.0}


def test_rows_and_bytes_grow_with_the_network_and_the_years():
    small = project(Network(dealers=100), SIZES)
    large = project(Network(dealers=1000), SIZES)
    longer = project(Network(dealers=100, years_kept=10), SIZES)

    assert small.rows_per_year["cases"] == 100 * 500
    assert small.rows_per_year["timeline events"] == 100 * 500 * 10
    assert large.bytes_total == pytest.approx(10 * small.bytes_total)
    assert longer.bytes_total == pytest.approx(2 * small.bytes_total)
    # The hot part is the last 90 days of one year's data, whatever is kept.
    assert longer.bytes_hot == pytest.approx(small.bytes_hot)
    assert large.db_cores == pytest.approx(10 * small.db_cores)


def test_the_busiest_hour_sets_the_cores():
    workload = Workload(
        staff_per_dealer=10, pages_per_staff_hour=36, busiest_hour_share=0.1, db_ms_per_page=5
    )
    p = project(Network(dealers=1000, cases_per_dealer_year=0), SIZES, workload=workload)

    # 1,000 dealers x 10 staff x 36 pages an hour x 10 hours, a tenth of it in one hour.
    assert p.pages_per_second == pytest.approx(1000 * 10 * 36 * 10 * 0.1 / 3600)
    assert p.db_cores == pytest.approx(p.pages_per_second * 5 / 1000)


def test_a_limit_is_named_when_one_server_no_longer_carries_the_network():
    fits = project(Network(dealers=200), SIZES)
    too_much = project(Network(dealers=200), SIZES, server=OneServer(disk_tb=0.001))

    assert fits.fits_one_server
    assert not too_much.fits_one_server
    assert too_much.limits == {"disk": False, "memory": True, "cores": True}


def test_the_largest_network_is_the_edge_of_the_projection():
    most = largest_network(SIZES)

    assert project(Network(dealers=most), SIZES).fits_one_server
    assert not project(Network(dealers=most + 1), SIZES).fits_one_server
    # Rows four times as big: the disks fill before the cores are busy.
    bigger = {name: 4 * size for name, size in SIZES.items()}
    assert largest_network(bigger) < most
    assert project(Network(dealers=most), bigger).limits["disk"] is False


@pytest.mark.django_db
def test_sizes_are_read_from_the_database():
    ComplaintFactory.create_batch(3)

    bytes_per_row, rows = measured_bytes_per_row(min_rows=1)

    assert rows["cases"] == 3
    assert bytes_per_row["cases"] > 0
    # An empty table the generator never fills is estimated, and the table says so.
    assert rows["webhook deliveries"] == 0
    assert bytes_per_row["webhook deliveries"] == ESTIMATED_BYTES_PER_ROW["webhook deliveries"]
    assert set(rows) == set(GROWING)
    text = report(bytes_per_row, rows, Workload())
    assert "| cases | 3 |" in text
    assert "| webhook deliveries | 0 | 1,200 (estimated: no rows generated) |" in text
    assert "| 30,000 |" in text
