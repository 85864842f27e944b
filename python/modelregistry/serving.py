"""The one-liner for a service: a local folder holding exactly the bytes of the version a reference means."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from .errors import RegistryError
from .register_arguments import StrPath
from .registry import Registry


def default_cache_dir() -> Path:
    """``$MREG_CACHE``, else ``$XDG_CACHE_HOME/modelregistry``, else ``~/.cache/modelregistry``."""
    configured = os.environ.get("MREG_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "modelregistry"


def resolve_path(ref: str, *, registry: Optional[Registry] = None, cache_dir: Optional[StrPath] = None) -> Path:
    """The local folder of a verified copy of the version ``ref`` means now, its artifacts laid out
    under their relative paths (``model.onnx``, ``tokenizer/vocab.json``), as loading code expects::

        model_dir = mr.resolve_path("fraud@production")
        session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"))

    The folder is ``<cache_dir>/<fingerprint>``: one per version, so a promotion gives a new folder
    and never changes the files a running service has open. Each call asks the registry again
    (``mreg resolve``, fetching from the shared store when needed) and re-verifies the copy
    (``mreg pull``: every file hashed; a missing or altered file is written again from the verified
    blob). Files that are not artifacts of the version are left alone: do not write into the folder.

    Pin a stage, alias or number (``fraud@production``, ``fraud@champion``, ``fraud/3``): a bare
    name or ``latest`` is whatever was registered last, and a bare name warns (``RegistryWarning``).
    """
    registry = registry if registry is not None else Registry()
    resolved = registry.resolve(ref)
    folder = Path(cache_dir if cache_dir is not None else default_cache_dir()) / resolved.fingerprint
    pulled = registry.pull(resolved.version.ref, folder, force=True)
    # A sync between the two calls may renumber a version that was still pending; a folder keyed by
    # one fingerprint must never hold another version's files.
    if sorted((f.path, f.sha256) for f in pulled.files) != sorted((a.path, a.sha256) for a in resolved.artifacts):
        raise RegistryError("CONFLICT", f"{ref} changed while it was being copied (a sync renumbered {resolved.version.ref}); call resolve_path again.", 1)
    return folder
