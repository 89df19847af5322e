"""The feature records of served traffic in the data lake: what the collector writes and the drift check reads.

Only features (features.json) reach the lake, never prompt or completion text. One JSON object per line in
blobs `<model>/<YYYY-MM-DD>/<HH>/<writer>.jsonl` of the lake container inference-logs (UTC hour of the record's time):
  {"id": "<request id>", "type": "request" | "response", "time": "<RFC 3339>", "features": {"<name>": value, ...}}
  {"id": "<request id>", "type": "feedback", "time": "<RFC 3339>", "label": <number in [0, 1]>}
A request's request, response and feedback records share its id.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

FEATURES_FILE = Path(__file__).with_name("features.json")
LOG_CONTAINER = "inference-logs"
MODEL_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$")  # models.yaml's name rule
TYPES = ("request", "response", "feedback")


def load_features(path: Path = FEATURES_FILE) -> dict:
    return json.loads(path.read_text())["features"]


def parse_time(value: str) -> datetime:
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def extract(spec: dict, body) -> float | str | None:
    """One feature's value from the request or response body it names (`from`), or None when absent."""
    value = body
    for key in spec["path"]:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    if spec.get("reduce") == "count":
        return len(value) if isinstance(value, list) else None
    if spec["type"] == "numerical":
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return str(value)


def features_of(catalogue: dict, side: str, body) -> dict:
    """Every catalogue feature that `side` (request or response) carries, by name; absent ones are left out."""
    out = {}
    for name, spec in catalogue.items():
        if spec["from"] == side:
            v = extract(spec, body)
            if v is not None:
                out[name] = v
    return out


def blob_name(model: str, t: datetime, writer: str) -> str:
    t = t.astimezone(timezone.utc)
    return f"{model}/{t.date().isoformat()}/{t.hour:02d}/{writer}.jsonl"


def lake_container(account: str, container: str):
    """The lake container, authenticated as the pod's workload identity (no key, SAS or connection string)."""
    from azure.identity import DefaultAzureCredential  # only in the image: the tests need neither
    from azure.storage.blob import ContainerClient

    return ContainerClient(
        account_url=f"https://{account}.blob.core.windows.net",
        container_name=container,
        credential=DefaultAzureCredential(exclude_interactive_browser_credential=True),
    )
