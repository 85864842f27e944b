"""Finding ``mreg`` and running it with ``--json``: the one place the client talks to the registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from .errors import CliNotFound, GateFailed, NotFound, RegistryError
from .gates import GateEvaluation

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_WARNING_PREFIX = "mreg: warning: "

INSTALL_HINT = (
    "Install the Model Registry CLI so that `mreg` is on PATH (`npm install -g .` in a checkout of Model "
    "Registry), or set MREG_CLI to the path of its built dist/cli.js, which runs with `node`."
)


class RegistryWarning(UserWarning):
    """mreg warned on stderr (a bare model name resolved to the latest version, a security finding
    in a registered file, a webhook that failed …). The operation itself succeeded."""


def locate_cli() -> List[str]:
    """The command line that runs mreg: ``node $MREG_CLI``, else ``mreg`` from PATH."""
    configured = os.environ.get("MREG_CLI")
    if configured:
        # Taken from the current directory now: mreg itself runs in the project folder.
        configured = os.path.abspath(configured)
        if not os.path.isfile(configured):
            raise CliNotFound(f"MREG_CLI is set to {configured!r}, which is not a file. Point it at the built cli.js (`node esbuild.mjs` writes dist/cli.js), or unset it to use `mreg` from PATH.")
        node = shutil.which("node")
        if node is None:
            raise CliNotFound(f"MREG_CLI names {configured!r}, which runs with Node.js, but `node` is not on PATH. Install Node.js 20.19 or later.")
        return [node, configured]
    installed = shutil.which("mreg")
    if installed is None:
        raise CliNotFound(f"No `mreg` on PATH and MREG_CLI is not set. {INSTALL_HINT}")
    return [installed]


def _caller_stacklevel() -> int:
    """How many frames up the first caller outside this package is, so a warning names the user's line."""
    level = 1
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _warnings_in(stderr: str) -> List[str]:
    """Each ``mreg: warning:`` line is one warning; lines mreg indents under it (a finding's
    details) belong to the one before."""
    found: List[str] = []
    for line in stderr.splitlines():
        if not line.startswith(_WARNING_PREFIX):
            continue
        text = line[len(_WARNING_PREFIX):]
        if text.startswith("  ") and found:
            found[-1] += "\n" + text
        else:
            found.append(text)
    return found


def _error_document(stderr: str) -> Optional[Dict[str, Any]]:
    """The ``{"error": …}`` line ``--json`` ends stderr with on a failure."""
    lines = stderr.rstrip("\n").splitlines()
    if not lines:
        return None
    try:
        doc = json.loads(lines[-1])
    except ValueError:
        return None
    return doc.get("error") if isinstance(doc, dict) and isinstance(doc.get("error"), dict) else None


def _failure(completed: "subprocess.CompletedProcess[str]") -> RegistryError:
    error = _error_document(completed.stderr)
    if error is None:
        # Not an mreg that speaks --json errors (too old), or node itself failed before mreg ran.
        said = completed.stderr.strip() or "(nothing on stderr)"
        return RegistryError("INTERNAL", f"mreg exited {completed.returncode} without a JSON error; it said: {said}. Upgrade mreg if it is older than this client.", completed.returncode)
    code, message, exit_code = error["code"], error["message"], error["exitCode"]
    if code == "NOT_FOUND":
        return NotFound(code, message, exit_code)
    if code == "GATE_FAILED":
        evaluation = GateEvaluation.from_json(json.loads(completed.stdout)) if completed.stdout.strip() else None
        return GateFailed(code, message, exit_code, evaluation)
    return RegistryError(code, message, exit_code)


class Cli:
    """One mreg installation, run once per call with ``--json``; the registry folder is passed only
    when the caller chose one, so mreg finds it as it does on the command line."""

    def __init__(self, command: Optional[Sequence[str]] = None) -> None:
        self.command: List[str] = list(command) if command is not None else locate_cli()

    def run(self, args: Sequence[str], *, registry: Optional[Path] = None, cwd: Optional[Path] = None) -> Any:
        """Runs ``mreg [--registry R] --json ARGS`` and returns the JSON document it printed.
        Warnings become ``RegistryWarning``s; a failure raises the error mreg reported."""
        argv = [*self.command, *(["--registry", str(registry)] if registry is not None else []), "--json", *args]
        completed = subprocess.run(argv, cwd=None if cwd is None else str(cwd), stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", errors="replace")
        stacklevel = _caller_stacklevel()
        for text in _warnings_in(completed.stderr):
            warnings.warn(text, RegistryWarning, stacklevel=stacklevel)
        if completed.returncode != 0:
            raise _failure(completed)
        try:
            return json.loads(completed.stdout)
        except ValueError:
            raise RegistryError("INTERNAL", f"mreg printed no JSON document for `{' '.join(args[:1])}`; stdout began with {completed.stdout[:200]!r}.", completed.returncode) from None
