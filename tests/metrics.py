"""Reading /metrics in tests: scrape, parse with prometheus_client's own parser, and look
samples up by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-tests-0123456789"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def scrape(client, **headers: str) -> Samples:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", **headers})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return parse(response.content.decode())


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 for a series not written yet (a counter no process has
    incremented)."""
    return samples.get((name, frozenset(labels.items())), 0.0)
