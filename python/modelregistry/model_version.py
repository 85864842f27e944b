"""Models and their versions, as ``mreg --json`` prints them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Tuple, Union

ParamValue = Union[str, int, float, bool, None]


def parse_time(text: str) -> datetime:
    # mreg writes UTC as "…Z", which datetime.fromisoformat reads only from Python 3.11 on.
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


@dataclass(frozen=True)
class Artifact:
    """One file of a version: its path inside the version, size, SHA-256 and media type."""

    path: str
    size: int
    sha256: str
    media_type: str

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Artifact:
        return cls(path=doc["path"], size=doc["size"], sha256=doc["sha256"], media_type=doc["mediaType"])


@dataclass(frozen=True)
class Model:
    name: str
    description: Optional[str]
    tags: Dict[str, str]
    created_at: datetime
    version_count: int
    latest_version: Optional[int]
    production_version: Optional[int]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Model:
        return cls(
            name=doc["name"],
            description=doc.get("description"),
            tags=dict(doc.get("tags") or {}),
            created_at=parse_time(doc["createdAt"]),
            version_count=doc["versionCount"],
            latest_version=doc.get("latestVersion"),
            production_version=doc.get("productionVersion"),
        )


@dataclass(frozen=True)
class ModelVersion:
    """An immutable version. ``artifacts`` and ``manifest`` are there when the command that returned
    it prints them (``register``, ``show``); a listing (``versions``, ``search``) leaves them None:
    ask ``Registry.show(v.ref)``."""

    model: str
    number: int
    id: str
    semver: Optional[str]
    stage: str
    aliases: Tuple[str, ...]
    fingerprint: str
    description: Optional[str]
    tags: Dict[str, str]
    created_at: datetime
    created_by: str
    git_commit: Optional[str]
    git_branch: Optional[str]
    artifacts: Optional[Tuple[Artifact, ...]] = None
    manifest: Optional[Mapping[str, Any]] = field(default=None, repr=False)

    @property
    def ref(self) -> str:
        """The reference that always means this version: ``model/number``."""
        return f"{self.model}/{self.number}"

    @property
    def metrics(self) -> Optional[Dict[str, float]]:
        """The recorded metrics' values, when the manifest is here."""
        if self.manifest is None:
            return None
        return {name: metric["value"] for name, metric in self.manifest.get("metrics", {}).items()}

    @property
    def params(self) -> Optional[Dict[str, ParamValue]]:
        """The recorded hyperparameters, with the types they were registered with, when the manifest is here."""
        if self.manifest is None:
            return None
        return dict(self.manifest.get("lineage", {}).get("params", {}))

    @staticmethod
    def fields_from_json(doc: Mapping[str, Any]) -> Dict[str, Any]:
        return {
            "model": doc["model"],
            "number": doc["number"],
            "id": doc["id"],
            "semver": doc.get("semver"),
            "stage": doc["stage"],
            "aliases": tuple(doc.get("aliases", ())),
            "fingerprint": doc["fingerprint"],
            "description": doc.get("description"),
            "tags": dict(doc.get("tags") or {}),
            "created_at": parse_time(doc["createdAt"]),
            "created_by": doc["createdBy"],
            "git_commit": doc.get("gitCommit"),
            "git_branch": doc.get("gitBranch"),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ModelVersion:
        """A version record; with its artifacts when the document lists them (``register``) or its
        manifest does (``show``)."""
        manifest = doc.get("manifest")
        artifacts = doc.get("artifacts", manifest.get("artifacts") if manifest else None)
        return cls(
            **cls.fields_from_json(doc),
            artifacts=None if artifacts is None else tuple(Artifact.from_json(a) for a in artifacts),
            manifest=manifest,
        )


@dataclass(frozen=True)
class DataRef:
    """Data a version was trained on: a path or URI, with its content hash when one was recorded."""

    uri: str
    sha256: Optional[str]


@dataclass(frozen=True)
class SearchHit(ModelVersion):
    """A version a search matched, with the data it was trained on and the ``order_by`` field's value."""

    data: Tuple[DataRef, ...] = ()
    order_value: Union[float, str, None] = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> SearchHit:
        return cls(
            **ModelVersion.fields_from_json(doc),
            data=tuple(DataRef(uri=d["uri"], sha256=d.get("sha256")) for d in doc.get("data", ())),
            order_value=doc.get("orderValue"),
        )
