"""Copy one model snapshot from the platform's Data Lake into a local volume, for a vLLM/KServe server to load.

Runs as an init container under AKS workload identity: the pod's service account is federated with the model
loader's managed identity, which holds Storage Blob Data Reader on the models container (components/identity).
No key, SAS or connection string is used.

Environment:
  MODEL_STORAGE_ACCOUNT  storage account name of the Data Lake (required)
  MODEL_PREFIX           blob prefix of the snapshot, e.g. "llama-3.1-8b-instruct/2026-08-01/" (required)
  MODEL_CONTAINER        container (default "models")
  MODEL_DIR              destination directory (default "/models")

If the snapshot contains a SHA256SUMS file (sha256sum format), every file is verified against it and a mismatch fails
the container. A `.complete` marker records the snapshot; a restart with the same snapshot copies nothing.
Exit codes: 0 copied or already present, 1 download/verification failed, 2 bad configuration.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterable, Protocol

MARKER = ".complete"
SUMS = "SHA256SUMS"
CHUNK = 8 * 1024 * 1024


class BlobItem(Protocol):
    name: str
    size: int


class Container(Protocol):
    def list_blobs(self, name_starts_with: str) -> Iterable[BlobItem]: ...
    def download_blob(self, name: str): ...  # returns an object with .chunks()


class LoaderError(Exception):
    """A problem the operator can act on; printed as one line."""


def relative_path(prefix: str, blob_name: str) -> PurePosixPath:
    """Path of a blob below the snapshot prefix; refuses names that would escape the destination."""
    rel = PurePosixPath(blob_name[len(prefix):].lstrip("/"))
    if not rel.parts or rel.is_absolute() or ".." in rel.parts:
        raise LoaderError(f"refusing blob name outside the snapshot: {blob_name!r}")
    return rel


def parse_sums(text: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.lstrip(" *")
        if len(digest) != 64 or not name:
            raise LoaderError(f"{SUMS}: malformed line {line!r}")
        sums[name] = digest.lower()
    return sums


def snapshot_id(prefix: str, blobs: list[BlobItem]) -> dict:
    return {"prefix": prefix, "files": sorted([b.name, b.size] for b in blobs)}


def load(container: Container, prefix: str, dest: Path, log=print) -> int:
    """Copy the snapshot under `prefix` into `dest`; returns the number of files copied (0 if already complete)."""
    blobs = [b for b in container.list_blobs(name_starts_with=prefix) if not b.name.endswith("/")]
    if not blobs:
        raise LoaderError(f"no blobs under prefix {prefix!r}")
    wanted = snapshot_id(prefix, blobs)
    marker = dest / MARKER
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        log(f"model-loader: {prefix} already present in {dest}")
        return 0

    dest.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    for blob in blobs:
        rel = relative_path(prefix, blob.name)
        target = dest.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            for chunk in container.download_blob(blob.name).chunks():
                h.update(chunk)
                tmp.write(chunk)
        os.replace(tmp.name, target)
        digests[rel.as_posix()] = h.hexdigest()
        log(f"model-loader: {rel.as_posix()} ({blob.size} bytes)")

    if SUMS in digests:
        expected = parse_sums((dest / SUMS).read_text())
        for name, digest in expected.items():
            if digests.get(name) != digest:
                raise LoaderError(f"{name}: sha256 {digests.get(name, 'missing')} does not match {SUMS} ({digest})")
        log(f"model-loader: verified {len(expected)} files against {SUMS}")

    marker.write_text(json.dumps(wanted))
    return len(blobs)


def main() -> int:
    account = os.environ.get("MODEL_STORAGE_ACCOUNT", "")
    prefix = os.environ.get("MODEL_PREFIX", "")
    container_name = os.environ.get("MODEL_CONTAINER", "models")
    dest = Path(os.environ.get("MODEL_DIR", "/models"))
    if not account or not prefix:
        print("model-loader: set MODEL_STORAGE_ACCOUNT and MODEL_PREFIX", file=sys.stderr)
        return 2
    from azure.identity import DefaultAzureCredential  # workload identity in the pod
    from azure.storage.blob import ContainerClient

    client = ContainerClient(
        account_url=f"https://{account}.blob.core.windows.net",
        container_name=container_name,
        credential=DefaultAzureCredential(exclude_interactive_browser_credential=True),
    )
    try:
        copied = load(client, prefix, dest)
    except LoaderError as e:
        print(f"model-loader: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # Azure SDK errors: one line, no trace
        print(f"model-loader: download failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 1
    print(f"model-loader: {copied} file(s) copied to {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
