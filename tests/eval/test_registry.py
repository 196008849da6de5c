"""Every figure the eval shows is declared once (``reviewer.eval.registry``): the report's
tables, its comparison plot and the console summary read the registry."""

from __future__ import annotations

from reviewer.eval import registry
from reviewer.eval.tables import GROUP_TITLES, tables
from reviewer.eval.textquality import METRICS as TEXT_QUALITY_METRICS


def _metrics() -> dict:
    est = {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n_papers": 10}
    groups = {g: {} for g in registry.GROUP_NAMES}
    for metric in registry.METRICS:
        groups[metric.group][metric.name] = dict(est)
    return {"system": "ours", **groups, "human": {}, "baselines": {}}


def test_each_metric_is_declared_once_and_in_a_known_group() -> None:
    dotted = [m.dotted for m in registry.METRICS]
    assert len(dotted) == len(set(dotted))
    assert {m.group for m in registry.METRICS} <= set(registry.GROUP_NAMES)
    assert set(GROUP_TITLES) == set(registry.GROUP_NAMES)
    text = [m.name for m in registry.METRICS if m.group == "text_quality"]
    assert sorted(text) == sorted(TEXT_QUALITY_METRICS)  # every text-quality figure shown


def test_the_headline_table_is_the_registry_headline_with_its_digits() -> None:
    headline = tables(_metrics())[0]
    assert headline[0] == "Headline"
    assert [row[0] for row in headline[2]] == [m.dotted for m in registry.headline()]
    rows = dict((row[0], row[1]) for row in headline[2])
    assert rows["rating.mae"].startswith("0.500 [")  # three digits
    assert rows["text_quality.copy_rate"].startswith("0.5000 [")  # four for text quality
