"""Inference log collector: receives served traffic, keeps only its features (features.json), writes them to the data
lake as feature records (records.py) for the drift check. Prompt and completion text never leave this process.

  POST /log/<model>   a KServe payload-logger CloudEvent in binary mode (headers ce-id, ce-type
                      org.kubeflow.serving.inference.request|response, optional ce-time; body = the OpenAI API body), or
                      from the LLM gateway: {"id", "type": "request"|"response", "time"?, "body": {...}} or
                      {"id", "type": "feedback", "time"?, "label": 0..1} (a label for an earlier request).
  GET  /healthz       liveness/readiness
  GET  /metrics       Prometheus text: records accepted/rejected per model, flush failures, buffered lines

<model> must be one of MODELS (comma-separated, the models.yaml names with monitoring); others get 404. Records are
buffered and written every FLUSH_SECONDS (default 60) as one block blob per model and hour; a failed write keeps the
lines for the next flush (at most MAX_BUFFERED lines; beyond that the oldest are dropped and counted). SIGTERM flushes.
Environment: STORAGE_ACCOUNT (required), LOG_CONTAINER (default inference-logs), MODELS, PORT (default 8080),
FLUSH_SECONDS.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from records import LOG_CONTAINER, MODEL_NAME, blob_name, features_of, lake_container, load_features, parse_time

MAX_BODY = 8 * 1024 * 1024
CE_TYPES = {"org.kubeflow.serving.inference.request": "request", "org.kubeflow.serving.inference.response": "response"}


class Rejected(ValueError):
    """A request the collector refuses (400), with the reason for the sender."""


def to_record(headers: dict, payload: bytes, catalogue: dict, now: datetime) -> dict:
    """The feature record of one logged message; `headers` keys lower-case."""
    try:
        doc = json.loads(payload or b"null")
    except ValueError:
        raise Rejected("body is not JSON") from None
    if "ce-type" in headers:  # KServe's logger: the body is the request or response itself
        kind = CE_TYPES.get(headers["ce-type"])
        if not kind:
            raise Rejected(f"ce-type {headers['ce-type']!r} is not one of {', '.join(CE_TYPES)}")
        rid, t, body = headers.get("ce-id"), headers.get("ce-time"), doc
    else:
        if not isinstance(doc, dict):
            raise Rejected("body must be a JSON object with id and type")
        rid, kind, t, body = doc.get("id"), doc.get("type"), doc.get("time"), doc.get("body")
    if not rid:
        raise Rejected("missing request id (ce-id header or id field)")
    try:
        when = parse_time(t) if t else now
    except ValueError:
        raise Rejected(f"time {t!r} is not RFC 3339") from None
    record = {"id": str(rid), "type": kind, "time": when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")}
    if kind == "feedback":
        label = doc.get("label")
        if isinstance(label, bool) or not isinstance(label, (int, float)) or not 0 <= label <= 1:
            raise Rejected("feedback needs a numeric label between 0 and 1")
        return {**record, "label": float(label)}
    if kind not in ("request", "response"):
        raise Rejected(f"type {kind!r} is not request, response or feedback")
    return {**record, "features": features_of(catalogue, kind, body)}


class Buffer:
    """Feature records waiting to be written, grouped by the blob (model, hour) they belong in."""

    def __init__(self, writer: str, max_lines: int = 200_000):
        self.writer, self.max_lines = writer, max_lines
        self.lines: dict[tuple[str, str], list[str]] = {}
        self.lock = threading.Lock()
        self.seq = 0
        self.stats = Counter()

    def add(self, model: str, record: dict) -> None:
        t = parse_time(record["time"])
        key = (model, t.strftime("%Y-%m-%dT%H"))
        with self.lock:
            self.lines.setdefault(key, []).append(json.dumps(record, separators=(",", ":")))
            self.stats[("accepted", model)] += 1
            excess = sum(len(v) for v in self.lines.values()) - self.max_lines
            if excess > 0:  # drop the oldest hour's lines first
                oldest = min(self.lines)
                dropped = self.lines[oldest][:excess]
                del self.lines[oldest][:excess]
                if not self.lines[oldest]:
                    del self.lines[oldest]
                self.stats[("dropped", oldest[0])] += len(dropped)

    def buffered(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.lines.values())

    def flush(self, container, now_ms: int) -> int:
        """Writes every group as a new block blob; returns the lines written. Failed groups stay buffered."""
        with self.lock:
            groups, self.lines = self.lines, {}
        written = 0
        for (model, hour), lines in sorted(groups.items()):
            self.seq += 1
            name = blob_name(model, datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc), f"{self.writer}-{now_ms}-{self.seq}")
            try:
                container.upload_blob(name, ("\n".join(lines) + "\n").encode(), overwrite=False)
                written += len(lines)
            except Exception as e:  # Azure SDK errors: keep the lines, say why in one line
                self.stats[("flush_failures", model)] += 1
                print(f"collector: writing {name} failed, kept {len(lines)} line(s): {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
                with self.lock:
                    self.lines[(model, hour)] = lines + self.lines.get((model, hour), [])
        return written

    def metrics(self) -> str:
        with self.lock:
            stats = dict(self.stats)
        out = []
        for name, key, help_ in (("drift_collector_records_total", "accepted", "Feature records accepted, per model."),
                                 ("drift_collector_rejected_total", "rejected", "Messages refused (bad shape), per model."),
                                 ("drift_collector_dropped_total", "dropped", "Buffered records dropped because the buffer was full, per model."),
                                 ("drift_collector_flush_failures_total", "flush_failures", "Failed blob writes, per model.")):
            out += [f"# HELP {name} {help_}", f"# TYPE {name} counter"]
            out += [f'{name}{{model="{m}"}} {v}' for (k, m), v in sorted(stats.items()) if k == key]
        out += ["# HELP drift_collector_buffered_records Records waiting to be written.", "# TYPE drift_collector_buffered_records gauge",
                f"drift_collector_buffered_records {self.buffered()}"]
        return "\n".join(out) + "\n"


def handler(buffer: Buffer, models: set[str], catalogue: dict):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, text: str = "", content_type: str = "text/plain") -> None:
            data = text.encode()
            self.send_response(code)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/healthz":
                return self._reply(200, "ok\n")
            if self.path == "/metrics":
                return self._reply(200, buffer.metrics(), "text/plain; version=0.0.4")
            return self._reply(404, "not found\n")

        def do_POST(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) != 2 or parts[0] != "log" or parts[1] not in models:
                return self._reply(404, f"POST /log/<model>, model one of: {', '.join(sorted(models))}\n")
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                return self._reply(413, f"body larger than {MAX_BODY} bytes\n")
            try:
                record = to_record({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length), catalogue, datetime.now(timezone.utc))
            except Rejected as e:
                with buffer.lock:
                    buffer.stats[("rejected", parts[1])] += 1
                return self._reply(400, f"{e}\n")
            buffer.add(parts[1], record)
            return self._reply(202)

        def log_message(self, *args):  # no per-request access log: it would repeat ids at traffic rate
            pass

    return Handler


def main() -> int:
    account = os.environ.get("STORAGE_ACCOUNT", "")
    models = {m.strip() for m in os.environ.get("MODELS", "").split(",") if m.strip()}
    bad = sorted(m for m in models if not MODEL_NAME.match(m))
    if not account or not models or bad:
        print(f"collector: set STORAGE_ACCOUNT and MODELS (comma-separated model names){'; invalid: ' + ', '.join(bad) if bad else ''}", file=sys.stderr)
        return 2
    container = lake_container(account, os.environ.get("LOG_CONTAINER", LOG_CONTAINER))
    buffer = Buffer(socket.gethostname())
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), handler(buffer, models, load_features()))
    stop = threading.Event()
    interval = float(os.environ.get("FLUSH_SECONDS", "60"))

    def flusher():
        while not stop.wait(interval):
            buffer.flush(container, int(time.time() * 1000))

    threading.Thread(target=flusher, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"collector: models {', '.join(sorted(models))}; flushing every {interval:g}s")
    server.serve_forever()
    stop.set()
    buffer.flush(container, int(time.time() * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
