"""The benchmark harness and its results writer, at a tiny size, so that `make bench` does
not rot between runs (the measurements themselves are `make bench`'s, never the tests')."""

from __future__ import annotations

import json

import pytest

from bench import Result, peer, report
from bench.network import ensure, people

PEER_LINES = [
    "some noise",
    'RESULT {"what": "case creation over HTTP", "round": 1, "workers": 2, "peer_rps": 44.0,'
    ' "project_rps": 150.0, "project_floor_rps": 330.0, "project_vs_peer": 3.41,'
    ' "project_vs_floor": 0.45, "project_non_2xx": 0}',
    'RESULT {"what": "case creation over HTTP", "round": 2, "workers": 2, "peer_rps": 46.0,'
    ' "project_rps": 140.0, "project_floor_rps": 340.0, "project_vs_peer": 3.04,'
    ' "project_vs_floor": 0.41, "project_non_2xx": 0}',
    'RESULT {"what": "peer escalation", "open_tickets": 2000, "escalated": 2000,'
    ' "ms_per_escalation": 9.5, "queries_per_escalation": 12.0}',
]


@pytest.fixture
def tiny_network(db, monkeypatch):
    monkeypatch.setenv("BENCH_CASES", "60")
    monkeypatch.setenv("BENCH_REPEAT", "1")
    ensure.cache_clear()
    people.cache_clear()
    yield
    ensure.cache_clear()
    people.cache_clear()


def test_results_are_written_as_json_and_a_markdown_table(tmp_path):
    results = [
        Result.of("page", [10.0, 12.0, 30.0], queries=4, target_ms=30),
        Result.of("slow page", [50.0, 70.0], target_ms=30, reference="before", reference_ms=100),
        Result("rate", 150.0, 3, unit="req/s", target_ms=100, reference="floor", reference_ms=300),
        *peer.not_measured("no peer scripts"),
    ]
    json_path, md_path = report.write(
        results, folder=tmp_path, data={"complaints_complaint": 60}, cases=60, seconds=3.0
    )
    document = json.loads(json_path.read_text())
    by_name = {r["name"]: r for r in document["results"]}
    assert by_name["page"]["median_ms"] == 12.0 and by_name["page"]["verdict"] == "met"
    assert by_name["slow page"]["verdict"] == "missed"
    assert by_name["slow page"]["ratio"] == pytest.approx(0.6)
    assert by_name["rate"]["verdict"] == "met" and by_name["rate"]["ratio"] == 0.5
    assert document["data"] == {"complaints_complaint": 60}
    table = md_path.read_text()
    assert "| page | 12.0 ms | 10.0–30.0 | 3 | 4 |" in table
    assert "peer not measured: no peer scripts" in table


def test_the_peers_result_lines_become_figures_with_ratios():
    figures = {r.name: r for r in peer.results(peer.parse(PEER_LINES))}
    ours = figures["project: case creation over HTTP, side by side"]
    assert ours.median_ms == 145.0 and ours.reference_ms == 45.0
    assert ours.verdict == "met"  # 145 >= 3 x 45
    escalation = figures["peer: escalation, ms per escalated ticket"]
    sweep = Result("sweep: ms per breach", 0.2, 21)
    against = peer.breach_ratio([sweep], [escalation])
    assert against.ratio == pytest.approx(0.2 / 9.5) and against.verdict == "met"


def test_without_the_peer_scripts_the_peer_rows_say_so(monkeypatch, tmp_path):
    monkeypatch.setenv("BENCH_PEER_DIR", str(tmp_path))
    rows = peer.run()
    assert rows and all("peer not measured" in r.detail for r in rows)


def test_the_network_benchmark_runs_on_a_tiny_network(tiny_network):
    from bench import bench_network

    results = {r.name: r for r in bench_network.run()}
    assert set(results) == {
        "API case list, first page",
        "API case detail",
        "advisor's case list (browser)",
        "case page (browser)",
        "manager's overview (browser)",
    }
    for result in results.values():
        assert result.median_ms > 0 and result.queries
    small, large = results["API case list, first page"].queries.split(" / ")
    assert small.split()[0] == large.split()[0]  # no query per row
