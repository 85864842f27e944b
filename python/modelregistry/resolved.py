"""What serving code gets: a version's verified local files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Tuple

from .model_version import ModelVersion


@dataclass(frozen=True)
class ResolvedArtifact:
    """An artifact of a resolved version. ``blob_path`` is the file in the local registry's blob
    store holding exactly these bytes (content-addressed: named by its SHA-256); read it, never
    write it. ``path`` is where the file sits inside the version (``tokenizer/vocab.json``)."""

    path: str
    size: int
    sha256: str
    media_type: str
    blob_path: Path

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ResolvedArtifact:
        return cls(path=doc["path"], size=doc["size"], sha256=doc["sha256"], media_type=doc["mediaType"], blob_path=Path(doc["blobPath"]))


@dataclass(frozen=True)
class Resolved:
    """The exact version a reference means now, with each artifact's local file (fetched from the
    shared store and checked against its SHA-256 when it was not held here)."""

    version: ModelVersion
    artifacts: Tuple[ResolvedArtifact, ...]
    #: False when the reference was a bare model name, which means whatever was registered last.
    pinned: bool

    @property
    def model(self) -> str:
        return self.version.model

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def stage(self) -> str:
        return self.version.stage

    @property
    def fingerprint(self) -> str:
        return self.version.fingerprint

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Resolved:
        return cls(
            version=ModelVersion.from_json(doc["version"]),
            artifacts=tuple(ResolvedArtifact.from_json(a) for a in doc["artifacts"]),
            pinned=doc["pinned"],
        )


@dataclass(frozen=True)
class PulledFile:
    path: str
    size: int
    sha256: str
    #: "written", or "unchanged" when the folder already held these exact bytes.
    status: str


@dataclass(frozen=True)
class PullResult:
    model: str
    number: int
    to: Path
    files: Tuple[PulledFile, ...]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PullResult:
        return cls(
            model=doc["model"],
            number=doc["version"],
            to=Path(doc["to"]),
            files=tuple(PulledFile(path=f["path"], size=f["size"], sha256=f["sha256"], status=f["status"]) for f in doc["files"]),
        )
