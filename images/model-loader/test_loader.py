"""Unit tests of loader.py against an in-memory container (no Azure): `python3 -m unittest discover images/model-loader`."""
import hashlib
import json
import tempfile
import unittest
from dataclasses import dataclass
from pathlib import Path

import loader


@dataclass
class Item:
    name: str
    size: int


class Download:
    def __init__(self, data: bytes):
        self.data = data

    def chunks(self):
        yield self.data[: len(self.data) // 2]
        yield self.data[len(self.data) // 2 :]


class FakeContainer:
    def __init__(self, blobs: dict):
        self.blobs = blobs
        self.downloads = []

    def list_blobs(self, name_starts_with):
        return [Item(n, len(d)) for n, d in sorted(self.blobs.items()) if n.startswith(name_starts_with)]

    def download_blob(self, name):
        self.downloads.append(name)
        return Download(self.blobs[name])


PREFIX = "llama/2026-08-01/"
WEIGHTS = b"\x00weights" * 1000
CONFIG = b'{"architectures": ["LlamaForCausalLM"]}'


def sums(**files):
    return "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items()).encode()


class LoaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.lines = []

    def test_copies_verifies_and_is_idempotent(self):
        c = FakeContainer({
            PREFIX + "config.json": CONFIG,
            PREFIX + "model/weights.safetensors": WEIGHTS,
            PREFIX + "SHA256SUMS": sums(**{"config.json": CONFIG, "model/weights.safetensors": WEIGHTS}),
            "other/2026/config.json": b"not ours",
        })
        self.assertEqual(loader.load(c, PREFIX, self.dir, self.lines.append), 3)
        self.assertEqual((self.dir / "model/weights.safetensors").read_bytes(), WEIGHTS)
        self.assertIn("model-loader: verified 2 files against SHA256SUMS", self.lines)
        self.assertNotIn("other/2026/config.json", c.downloads)
        marker = json.loads((self.dir / ".complete").read_text())
        self.assertEqual(marker["prefix"], PREFIX)
        c.downloads.clear()
        self.assertEqual(loader.load(c, PREFIX, self.dir, self.lines.append), 0)
        self.assertEqual(c.downloads, [])

    def test_checksum_mismatch_fails_without_marker(self):
        c = FakeContainer({PREFIX + "config.json": CONFIG, PREFIX + "SHA256SUMS": sums(**{"config.json": b"tampered"})})
        with self.assertRaisesRegex(loader.LoaderError, "config.json: sha256 .* does not match SHA256SUMS"):
            loader.load(c, PREFIX, self.dir, self.lines.append)
        self.assertFalse((self.dir / ".complete").exists())

    def test_refuses_path_traversal_and_empty_prefix(self):
        with self.assertRaisesRegex(loader.LoaderError, "outside the snapshot"):
            loader.load(FakeContainer({PREFIX + "../../etc/passwd": b"x"}), PREFIX, self.dir, self.lines.append)
        with self.assertRaisesRegex(loader.LoaderError, "no blobs under prefix"):
            loader.load(FakeContainer({}), PREFIX, self.dir, self.lines.append)


if __name__ == "__main__":
    unittest.main()
