"""What every test needs: the client from this tree, the freshly built CLI, and throw-away projects."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, Union
from unittest import mock

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PYTHON_DIR.parent
# The package in this tree, not a copy pip may have installed elsewhere.
sys.path.insert(0, str(PYTHON_DIR))

import modelregistry as mr  # noqa: E402

__all__ = ["BUILT_CLI", "ProjectTestCase", "mr", "sha256_of"]

BUILT_CLI = REPO_ROOT / "dist" / "cli.js"


def sha256_of(path: Union[str, Path]) -> str:
    """Computed here with hashlib, independently of the registry."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class ProjectTestCase(unittest.TestCase):
    """Each test gets a project folder with a few files and a registry in ``.modelregistry`` there,
    and an environment without MREG_REGISTRY (so nothing outside the test decides where it is)."""

    FILES: Dict[str, bytes] = {
        "model.bin": b"\x00weights of the first model\xff" * 50,
        "tokenizer/vocab.json": b'{"hello": 0, "world": 1}',
        "data/train.csv": b"x,y\n1,0\n2,1\n",
    }

    def setUp(self) -> None:
        environment = {key: value for key, value in os.environ.items() if key != "MREG_REGISTRY"}
        environment.setdefault("MREG_CLI", str(BUILT_CLI))
        environment["MREG_ACTOR"] = "trainer@example.com"
        patcher = mock.patch.dict(os.environ, environment, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        if not Path(os.environ["MREG_CLI"]).is_file():
            self.fail(f"MREG_CLI={os.environ['MREG_CLI']} is not a file: build the CLI first (node esbuild.mjs).")
        self.project = Path(tempfile.mkdtemp(prefix="modelregistry-py-"))
        self.addCleanup(shutil.rmtree, self.project, True)
        self.write(self.FILES)
        self.registry = mr.Registry(self.project / ".modelregistry", cwd=self.project)

    def write(self, files: Dict[str, bytes]) -> None:
        for relative, content in files.items():
            target = self.project / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
