"""Unit tests of the drift monitor on small synthetic data (no Azure, no Evidently): numpy and scipy only, e.g. Debian's
python3-scipy. Run: `python3 -m unittest discover -s images/drift-monitor`.

Expected values are known independently of this code: scipy's documented examples (scipy.stats.wasserstein_distance,
scipy.spatial.distance.jensenshannon) and PSI sums worked out by hand in the comments.
"""
import io
import json
import math
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from contextlib import redirect_stderr
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import collector
import drift_stats
import monitor
import records


class Psi(unittest.TestCase):
    def test_categorical_shares(self):
        # ref a,b = 1/2,1/2; cur 1/4,3/4: (1/2-1/4)ln(2) + (1/2-3/4)ln(2/3) = 0.25 ln 2 + 0.25 ln 1.5
        self.assertAlmostEqual(drift_stats.psi(list("aabb"), list("abbb"), categorical=True), 0.27465307216702745, places=12)

    def test_numerical_with_few_distinct_values_is_binned_per_value(self):
        self.assertAlmostEqual(drift_stats.psi([1, 1, 2, 2], [1, 2, 2, 2]), 0.27465307216702745, places=12)

    def test_numerical_sturges_bins_and_empty_bins(self):
        # 60 values over [0, 29] -> ceil(log2(60) + 1) = 7 bins of width 29/7; ref 0..29 falls 5,4,4,4,4,4,5 per bin,
        # cur (all 29) in the last bin; its 6 empty bins get 0.0001:
        # (1/6 - 1e-4) ln(1/6 / 1e-4) + 5 (2/15 - 1e-4) ln(2/15 / 1e-4) + (1/6 - 1) ln(1/6) = 7.522181699...
        self.assertAlmostEqual(drift_stats.psi(list(range(30)), [29] * 30), 7.522181699004687, places=9)

    def test_same_distribution_is_zero(self):
        self.assertEqual(drift_stats.psi(list(range(40)), list(range(40))), 0.0)

    def test_empty_window_is_an_error(self):
        with self.assertRaises(ValueError):
            drift_stats.psi([], [1.0])


class JensenShannon(unittest.TestCase):
    def test_scipy_documented_value(self):
        # scipy.spatial.distance.jensenshannon([1.0, 0.0], [0.5, 0.5]) = 0.46450140402245893 (scipy docs)
        self.assertAlmostEqual(drift_stats.jensenshannon(["a", "a"], ["a", "b"], categorical=True), 0.46450140402245893, places=12)

    def test_disjoint_is_sqrt_ln2(self):
        # disjoint supports: JS divergence = ln 2 (natural log), distance = its square root
        self.assertAlmostEqual(drift_stats.jensenshannon(["a"], ["b"], categorical=True), math.sqrt(math.log(2)), places=12)


class Wasserstein(unittest.TestCase):
    def test_scipy_documented_value_normed_by_reference_std(self):
        # scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0 (scipy docs); std([0, 1, 3]) = sqrt(14)/3
        self.assertAlmostEqual(drift_stats.wasserstein([0, 1, 3], [5, 6, 8]), 15 / math.sqrt(14), places=12)

    def test_shift_by_one_standard_deviation(self):
        self.assertAlmostEqual(drift_stats.wasserstein([-1, 1], [0, 2]), 1.0, places=12)

    def test_categorical_refused(self):
        with self.assertRaises(ValueError):
            drift_stats.wasserstein(["a"], ["b"], categorical=True)


class Score(unittest.TestCase):
    def test_dispatch_and_unknown_method(self):
        self.assertAlmostEqual(drift_stats.score("psi", list("aabb"), list("abbb"), True), 0.27465307216702745, places=12)
        with self.assertRaisesRegex(ValueError, "unknown drift method 'ks'; allowed: psi, jensenshannon, wasserstein"):
            drift_stats.score("ks", [1], [2], False)

    def test_performance_drop(self):
        self.assertAlmostEqual(drift_stats.performance_drop([1, 1, 1, 0], [1, 0, 0, 0]), 0.5, places=12)
        self.assertAlmostEqual(drift_stats.performance_drop([0, 0], [1, 0]), -0.5, places=12)


CATALOGUE = records.load_features()
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def exchange_lines(i, t, prompt_tokens, finish="stop", label=None):
    """The lake lines of one request as the collector writes them from the gateway's messages."""
    messages = [
        {"id": f"r{i}", "type": "request", "time": t, "body": {"messages": [{"role": "user", "content": "secret prompt"}] * (1 + i % 2), "max_tokens": 256}},
        {"id": f"r{i}", "type": "response", "time": t, "body": {"usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 10}, "choices": [{"finish_reason": finish, "message": {"content": "answer"}}]}},
    ]
    if label is not None:
        messages.append({"id": f"r{i}", "type": "feedback", "time": t, "label": label})
    return [json.dumps(collector.to_record({}, json.dumps(m).encode(), CATALOGUE, NOW)) for m in messages]


@dataclass
class Item:
    name: str


class Download:
    def __init__(self, data: bytes):
        self.data = data

    def readall(self):
        return self.data


class FakeContainer:
    def __init__(self, blobs: dict):
        self.blobs, self.listed = blobs, []

    def list_blobs(self, name_starts_with):
        self.listed.append(name_starts_with)
        return [Item(n) for n in sorted(self.blobs) if n.startswith(name_starts_with)]

    def download_blob(self, name):
        return Download(self.blobs[name].encode())


def config(**over):
    base = {"model": "llama31-8b", "currentHours": 24, "referenceDays": 7, "minSamples": 3,
            "features": {"prompt_tokens": {"method": "psi", "threshold": 0.2}, "finish_reason": {"method": "jensenshannon", "threshold": 0.1}},
            "performance": {"minLabels": 2, "maxDrop": 0.1}}
    return json.dumps({**base, **over})


class Monitor(unittest.TestCase):
    def test_extract_follows_the_catalogue(self):
        req = {"messages": [{}, {}, {}], "temperature": 0.7, "max_tokens": True}
        resp = {"usage": {"prompt_tokens": 42}, "choices": [{"finish_reason": "length"}]}
        self.assertEqual(records.features_of(CATALOGUE, "request", req), {"messages": 3, "temperature": 0.7})
        self.assertEqual(records.features_of(CATALOGUE, "response", resp), {"prompt_tokens": 42.0, "finish_reason": "length"})
        self.assertEqual(records.features_of(CATALOGUE, "response", {"choices": []}), {})
        self.assertEqual(records.features_of(CATALOGUE, "response", None), {})

    def test_windows_and_day_prefixes(self):
        w = monitor.Windows.ending(NOW, 24, 7)
        self.assertEqual((w.reference_start, w.current_start), (datetime(2026, 11, 29, 12, tzinfo=timezone.utc), datetime(2026, 12, 6, 12, tzinfo=timezone.utc)))
        self.assertEqual(w.which(datetime(2026, 12, 6, 11, 59, tzinfo=timezone.utc)), "reference")
        self.assertEqual(w.which(datetime(2026, 12, 6, 12, tzinfo=timezone.utc)), "current")
        self.assertIsNone(w.which(NOW))
        self.assertEqual(w.day_prefixes("m")[0], "m/2026-11-29/")
        self.assertEqual(len(w.day_prefixes("m")), 9)

    def test_bad_config_names_the_problem(self):
        with self.assertRaisesRegex(monitor.ConfigError, "feature 'tokens' is not in features.json"):
            monitor.Config.parse(config(features={"tokens": {"method": "psi", "threshold": 0.2}}), CATALOGUE)
        with self.assertRaisesRegex(monitor.ConfigError, "method 'ks' is not one of psi, jensenshannon, wasserstein"):
            monitor.Config.parse(config(features={"prompt_tokens": {"method": "ks", "threshold": 0.05}}), CATALOGUE)
        with redirect_stderr(io.StringIO()) as err:
            self.assertEqual(monitor.main(["--config", "{}"]), 2)
        self.assertIn("not the generated drift configuration", err.getvalue())

    def test_end_to_end_on_synthetic_logs(self):
        ref_t, cur_t = "2026-12-01T08:00:00Z", "2026-12-07T08:00:00Z"
        ref = [l for i in range(8) for l in exchange_lines(i, ref_t, 100 + i % 2, label=1)]
        # current: longer prompts, half cut off at max_tokens, labels fell from 1.0 to 0.5; one unreadable line
        cur = [l for i in range(8, 16) for l in exchange_lines(i, cur_t, 300, "length" if i % 2 else "stop", label=i % 2)] + ["{not json"]
        container = FakeContainer({
            "llama31-8b/2026-12-01/08/a.jsonl": "\n".join(ref),
            "llama31-8b/2026-12-07/08/a.jsonl": "\n".join(cur),
            "llama31-8b/2026-12-07/08/ignored.txt": "x",
            "other/2026-12-07/08/a.jsonl": "\n".join(exchange_lines(99, cur_t, 1)),
        })
        cfg = monitor.Config.parse(config(), CATALOGUE)
        windows = monitor.Windows.ending(NOW, 24, 7)
        exchanges = {}
        self.assertEqual(monitor.read_records(monitor.blob_lines(container, windows.day_prefixes("llama31-8b")), exchanges), 1)
        results, _ = monitor.evaluate(cfg, CATALOGUE, exchanges, windows)
        got = {r.feature: r for r in results}
        # prompt_tokens ref {100: 1/2, 101: 1/2}, cur {300: 1}; empty bins 0.0001:
        # 2 (1/2 - 1e-4) ln(1/2 / 1e-4) + (1e-4 - 1) ln(1e-4) = 17.7315...
        expected_psi = 2 * (0.5 - 1e-4) * math.log(0.5 / 1e-4) + (1e-4 - 1) * math.log(1e-4)
        self.assertAlmostEqual(got["prompt_tokens"].score, expected_psi, places=9)
        self.assertEqual((got["prompt_tokens"].kind, got["prompt_tokens"].samples), ("data", {"reference": 8, "current": 8}))
        self.assertAlmostEqual(got["finish_reason"].score, 0.46450140402245893, places=12)  # [1, 0] vs [1/2, 1/2]
        self.assertEqual(got["finish_reason"].kind, "prediction")
        self.assertEqual((got["label_mean"].kind, got["label_mean"].score), ("performance", 0.5))
        self.assertTrue(all(r.drifted for r in results))
        with tempfile.TemporaryDirectory() as d:
            monitor.write_outputs(results, Path(d))
            self.assertEqual(sorted(p.name for p in Path(d).iterdir()), ["score-finish-reason", "score-label-mean", "score-prompt-tokens"])
            self.assertEqual(float((Path(d) / "score-label-mean").read_text()), 0.5)

    def test_too_few_samples_writes_nan_not_a_stale_value(self):
        cfg = monitor.Config.parse(config(minSamples=10), CATALOGUE)
        exchanges = {}
        monitor.read_records(exchange_lines(1, "2026-12-01T08:00:00Z", 5) + exchange_lines(2, "2026-12-07T08:00:00Z", 9), exchanges)
        results, _ = monitor.evaluate(cfg, CATALOGUE, exchanges, monitor.Windows.ending(NOW, 24, 7))
        self.assertTrue(all(math.isnan(r.score) and not r.drifted for r in results))
        with tempfile.TemporaryDirectory() as d:
            monitor.write_outputs(results, Path(d))
            self.assertEqual((Path(d) / "score-prompt-tokens").read_text(), "NaN")


class Collector(unittest.TestCase):
    def test_kserve_cloudevent_keeps_features_only(self):
        headers = {"ce-id": "689b", "ce-type": "org.kubeflow.serving.inference.response", "ce-time": "2023-04-05T07:39:53.505997782Z"}
        body = {"choices": [{"finish_reason": "stop", "message": {"content": "the answer"}}], "usage": {"prompt_tokens": 7, "completion_tokens": 3}}
        rec = collector.to_record(headers, json.dumps(body).encode(), CATALOGUE, NOW)
        self.assertEqual(rec, {"id": "689b", "type": "response", "time": "2023-04-05T07:39:53.505997Z",
                               "features": {"prompt_tokens": 7.0, "completion_tokens": 3.0, "finish_reason": "stop"}})
        self.assertNotIn("the answer", json.dumps(rec))

    def test_refusals_say_why(self):
        cases = [
            ({"ce-id": "1", "ce-type": "org.kubeflow.serving.inference.outlier"}, b"{}", "ce-type 'org.kubeflow.serving.inference.outlier' is not one of"),
            ({}, b'{"type": "request", "body": {}}', "missing request id"),
            ({}, b'{"id": "1", "type": "feedback", "label": 2}', "label between 0 and 1"),
            ({}, b'{"id": "1", "type": "feedback", "label": true}', "label between 0 and 1"),
            ({}, b'{"id": "1", "type": "answer"}', "type 'answer' is not request, response or feedback"),
            ({}, b'{"id": "1", "type": "request", "time": "yesterday"}', "time 'yesterday' is not RFC 3339"),
            ({}, b"not json", "body is not JSON"),
        ]
        for headers, payload, message in cases:
            with self.assertRaisesRegex(collector.Rejected, message):
                collector.to_record(headers, payload, CATALOGUE, NOW)

    def test_buffer_writes_one_blob_per_model_and_hour_and_keeps_lines_on_failure(self):
        class Container:
            def __init__(self, fail):
                self.fail, self.blobs = fail, {}

            def upload_blob(self, name, data, overwrite):
                if self.fail:
                    raise OSError("403 AuthorizationPermissionMismatch\nmore")
                assert not overwrite
                self.blobs[name] = data.decode()

        buf = collector.Buffer("pod-1")
        for i, t in enumerate(["2026-12-07T08:10:00Z", "2026-12-07T08:50:00Z", "2026-12-07T09:00:00Z"]):
            buf.add("m", {"id": str(i), "type": "request", "time": t, "features": {}})
        with redirect_stderr(io.StringIO()) as err:
            self.assertEqual(buf.flush(Container(fail=True), 1000), 0)
        self.assertIn("failed, kept 2 line(s): OSError: 403 AuthorizationPermissionMismatch", err.getvalue())
        self.assertEqual(buf.buffered(), 3)
        ok = Container(fail=False)
        self.assertEqual(buf.flush(ok, 2000), 3)
        self.assertEqual(sorted(ok.blobs), ["m/2026-12-07/08/pod-1-2000-3.jsonl", "m/2026-12-07/09/pod-1-2000-4.jsonl"])
        self.assertEqual(len(ok.blobs["m/2026-12-07/08/pod-1-2000-3.jsonl"].splitlines()), 2)
        self.assertIn('drift_collector_flush_failures_total{model="m"} 2', buf.metrics())
        self.assertIn('drift_collector_records_total{model="m"} 3', buf.metrics())

    def test_http_endpoint_on_loopback(self):
        buf = collector.Buffer("w")
        server = collector.ThreadingHTTPServer(("127.0.0.1", 0), collector.handler(buf, {"llama31-8b"}, CATALOGUE))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"

        def post(path, body, headers=None):
            req = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})}, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        try:
            ce = {"ce-id": "a1", "ce-type": "org.kubeflow.serving.inference.request", "ce-specversion": "1.0", "ce-source": "http://localhost:9081/"}
            self.assertEqual(post("/log/llama31-8b", {"messages": [{"content": "hi"}], "max_tokens": 64}, ce)[0], 202)
            self.assertEqual(post("/log/other", {}, ce), (404, "POST /log/<model>, model one of: llama31-8b\n"))
            self.assertEqual(post("/log/llama31-8b", {"id": "a1", "type": "feedback", "label": 5}), (400, "feedback needs a numeric label between 0 and 1\n"))
            with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
                text = r.read().decode()
            self.assertIn('drift_collector_records_total{model="llama31-8b"} 1', text)
            self.assertIn('drift_collector_rejected_total{model="llama31-8b"} 1', text)
            [[(model, _hour), [line]]] = buf.lines.items()
            self.assertEqual((model, json.loads(line)["features"]), ("llama31-8b", {"messages": 1, "max_tokens": 64.0}))
        finally:
            server.shutdown()
            server.server_close()

    def test_full_buffer_drops_the_oldest_and_counts(self):
        buf = collector.Buffer("w", max_lines=2)
        for i, t in enumerate(["2026-12-07T08:00:00Z", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z"]):
            buf.add("m", {"id": str(i), "type": "request", "time": t, "features": {}})
        self.assertEqual(sorted(buf.lines), [("m", "2026-12-07T09"), ("m", "2026-12-07T10")])
        self.assertIn('drift_collector_dropped_total{model="m"} 1', buf.metrics())


if __name__ == "__main__":
    unittest.main()
