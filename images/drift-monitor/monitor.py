"""Drift check of one served model: compares the recent window of its traffic's feature records (records.py) with the
window before it, writes one score per configured feature (and the performance drop where labels arrived) for Argo
to publish as Prometheus metrics, and Evidently's HTML report of the same comparison.

Run by the generated CronWorkflow `drift-<model>` (tools/workloads/generate.ts), which passes the model's settings
from workloads/models/models.yaml as --config. Exit codes: 0 scores written (NaN where a window had too few samples),
1 the lake could not be read, 2 bad configuration.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import drift_stats
from records import LOG_CONTAINER, lake_container, load_features, parse_time



class BlobItem(Protocol):
    name: str


class Container(Protocol):
    def list_blobs(self, name_starts_with: str) -> Iterable[BlobItem]: ...
    def download_blob(self, name: str): ...  # returns an object with .readall()


class ConfigError(Exception):
    """Bad --config: printed as one line, exit 2."""


@dataclass
class Config:
    model: str
    current_hours: int
    reference_days: int
    min_samples: int
    features: dict  # name -> {"method", "threshold"}
    performance: dict | None = None  # {"minLabels", "maxDrop"}

    @staticmethod
    def parse(text: str, catalogue: dict) -> "Config":
        try:
            raw = json.loads(text)
            cfg = Config(
                model=raw["model"],
                current_hours=int(raw["currentHours"]),
                reference_days=int(raw["referenceDays"]),
                min_samples=int(raw["minSamples"]),
                features=raw["features"],
                performance=raw.get("performance"),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"--config is not the generated drift configuration: {type(e).__name__}: {e}") from None
        for name, f in cfg.features.items():
            if name not in catalogue:
                raise ConfigError(f"feature {name!r} is not in features.json (allowed: {', '.join(sorted(catalogue))})")
            if f.get("method") not in drift_stats.METHODS:
                raise ConfigError(f"feature {name}: method {f.get('method')!r} is not one of {', '.join(drift_stats.METHODS)}")
        return cfg


@dataclass
class Windows:
    reference_start: datetime
    current_start: datetime
    end: datetime

    @staticmethod
    def ending(now: datetime, current_hours: int, reference_days: int) -> "Windows":
        current_start = now - timedelta(hours=current_hours)
        return Windows(current_start - timedelta(days=reference_days), current_start, now)

    def which(self, t: datetime) -> str | None:
        if self.reference_start <= t < self.current_start:
            return "reference"
        if self.current_start <= t < self.end:
            return "current"
        return None

    def day_prefixes(self, model: str) -> list[str]:
        days, d = [], self.reference_start.date()
        while d <= self.end.date():
            days.append(f"{model}/{d.isoformat()}/")
            d += timedelta(days=1)
        return days


@dataclass
class Exchange:
    """One request: its features from the request and response records, and the feedback label if any arrived."""
    time: datetime | None = None
    features: dict = field(default_factory=dict)
    label: float | None = None


def read_records(lines: Iterable[str], into: dict[str, Exchange]) -> int:
    """Joins request, response and feedback records by id; returns how many lines were unreadable (skipped)."""
    bad = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            t = parse_time(rec["time"])
            kind = rec["type"]
            if kind not in ("request", "response", "feedback"):
                bad += 1
                continue
            ex = into.setdefault(str(rec["id"]), Exchange())
            if kind == "feedback":
                ex.label = float(rec["label"])
                continue
            ex.features.update(rec["features"])
            # The request's own time places it in a window; a response alone places it by its time.
            if kind == "request" or ex.time is None:
                ex.time = t
        except (ValueError, KeyError, TypeError, AttributeError):
            bad += 1
    return bad


def blob_lines(container: Container, prefixes: list[str]) -> Iterator[str]:
    for prefix in prefixes:
        for blob in container.list_blobs(name_starts_with=prefix):
            if blob.name.endswith(".jsonl"):
                yield from container.download_blob(blob.name).readall().decode("utf-8", errors="replace").splitlines()


@dataclass
class Result:
    feature: str
    kind: str  # data | prediction | performance
    method: str
    threshold: float
    score: float  # NaN when a window had fewer than the minimum samples
    samples: dict = field(default_factory=dict)  # window -> count

    @property
    def drifted(self) -> bool:
        return not math.isnan(self.score) and self.score >= self.threshold


def evaluate(cfg: Config, catalogue: dict, exchanges: dict[str, Exchange], windows: Windows) -> tuple[list[Result], dict]:
    """One Result per configured feature (and performance), plus the feature table of both windows for the report."""
    table = {"reference": {n: [] for n in cfg.features}, "current": {n: [] for n in cfg.features}}
    labels: dict[str, list[float]] = {"reference": [], "current": []}
    for ex in exchanges.values():
        window = windows.which(ex.time) if ex.time else None
        if window is None:
            continue
        for name in cfg.features:
            if name in ex.features:
                table[window][name].append(ex.features[name])
        if ex.label is not None:
            labels[window].append(ex.label)
    results = []
    for name, f in cfg.features.items():
        ref, cur = table["reference"][name], table["current"][name]
        enough = min(len(ref), len(cur)) >= cfg.min_samples
        categorical = catalogue[name]["type"] == "categorical"
        value = drift_stats.score(f["method"], ref, cur, categorical) if enough else math.nan
        results.append(Result(name, catalogue[name]["kind"], f["method"], float(f["threshold"]), value, {"reference": len(ref), "current": len(cur)}))
    if cfg.performance:
        ref, cur = labels["reference"], labels["current"]
        enough = min(len(ref), len(cur)) >= int(cfg.performance["minLabels"])
        drop = drift_stats.performance_drop(ref, cur) if enough else math.nan
        results.append(Result("label_mean", "performance", "drop", float(cfg.performance["maxDrop"]), drop, {"reference": len(ref), "current": len(cur)}))
    return results, table


def output_name(result: Result) -> str:
    """Argo output parameter (file) name of a result; the generator declares the same names."""
    return f"score-{result.feature.replace('_', '-')}"


def write_outputs(results: list[Result], directory: Path) -> None:
    """One file per result holding the score (`NaN` when not computed: the gauge is overwritten, not left stale)."""
    directory.mkdir(parents=True, exist_ok=True)
    for r in results:
        (directory / output_name(r)).write_text("NaN" if math.isnan(r.score) else repr(r.score))


def summary(cfg: Config, windows: Windows, results: list[Result], bad: int) -> str:
    lines = [f"drift-monitor: {cfg.model} reference [{windows.reference_start.isoformat()}, {windows.current_start.isoformat()}) "
             f"current [{windows.current_start.isoformat()}, {windows.end.isoformat()}), {bad} unreadable line(s) skipped"]
    for r in results:
        state = "too few samples" if math.isnan(r.score) else ("DRIFT" if r.drifted else "ok")
        lines.append(f"  {r.kind:<11} {r.feature:<18} {r.method:<14} score {r.score:.4f} threshold {r.threshold:g} "
                     f"samples {r.samples['reference']}/{r.samples['current']}: {state}")
    return "\n".join(lines)


def evidently_report(cfg: Config, catalogue: dict, table: dict, results: list[Result], path: Path) -> None:
    """Evidently's data-drift report of the same features with the same methods and thresholds (the image has it)."""
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    computed = [r.feature for r in results if r.kind != "performance" and not math.isnan(r.score)]
    if not computed:
        return
    definition = DataDefinition(
        numerical_columns=[n for n in computed if catalogue[n]["type"] == "numerical"],
        categorical_columns=[n for n in computed if catalogue[n]["type"] == "categorical"],
    )
    frames = {w: Dataset.from_pandas(pd.DataFrame({n: pd.Series(table[w][n]) for n in computed}), data_definition=definition) for w in table}
    preset = DataDriftPreset(
        columns=computed,
        per_column_method={n: cfg.features[n]["method"] for n in computed},
        per_column_threshold={n: float(cfg.features[n]["threshold"]) for n in computed},
    )
    Report([preset]).run(current_data=frames["current"], reference_data=frames["reference"]).save_html(str(path))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True, help="JSON: model, currentHours, referenceDays, minSamples, features, performance")
    p.add_argument("--now", help="end of the current window (RFC 3339; default: now)")
    p.add_argument("--outputs", default="/tmp/outputs", help="directory for the Argo output parameter files")
    p.add_argument("--report", default="/tmp/report/drift.html", help="Evidently HTML report (an Argo output artifact)")
    args = p.parse_args(argv)
    catalogue = load_features()
    try:
        cfg = Config.parse(args.config, catalogue)
        now = parse_time(args.now) if args.now else datetime.now(timezone.utc)
    except (ConfigError, ValueError) as e:
        print(f"drift-monitor: {e}", file=sys.stderr)
        return 2
    account, container_name = os.environ.get("STORAGE_ACCOUNT", ""), os.environ.get("LOG_CONTAINER", LOG_CONTAINER)
    if not account:
        print("drift-monitor: set STORAGE_ACCOUNT (the data lake's storage account name)", file=sys.stderr)
        return 2
    client = lake_container(account, container_name)
    windows = Windows.ending(now, cfg.current_hours, cfg.reference_days)
    exchanges: dict[str, Exchange] = {}
    try:
        bad = read_records(blob_lines(client, windows.day_prefixes(cfg.model)), exchanges)
    except Exception as e:  # Azure SDK errors: one line, no trace
        print(f"drift-monitor: reading {container_name}/{cfg.model}/ failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 1
    results, table = evaluate(cfg, catalogue, exchanges, windows)
    write_outputs(results, Path(args.outputs))
    print(summary(cfg, windows, results, bad))
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    try:
        evidently_report(cfg, catalogue, table, results, Path(args.report))
    except Exception as e:  # the metrics are written; a report failure is reported, not fatal
        print(f"drift-monitor: warning: Evidently report failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
