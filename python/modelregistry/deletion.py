"""``Deletion``: what ``Registry.delete`` and ``Registry.delete_model`` took away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Tuple


@dataclass(frozen=True)
class DeletedVersion:
    number: int
    stage: str
    """The stage it was in when deleted (never Production)."""
    aliases: Tuple[str, ...]
    """The aliases that went with it."""


@dataclass(frozen=True)
class Deletion:
    """The versions deleted (a tombstone each, carried by sync; their numbers are never given again)
    and, for ``delete_model``, the model. The artifacts stay until ``mreg gc`` removes unreferenced
    blobs after the grace period."""

    model: str
    versions: Tuple[DeletedVersion, ...]
    model_deleted: bool
    reason: str

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Deletion:
        return cls(
            model=doc["model"],
            versions=tuple(DeletedVersion(number=v["number"], stage=v["stage"], aliases=tuple(v.get("aliases", ()))) for v in doc["versions"]),
            model_deleted=bool(doc["modelDeleted"]),
            reason=doc["reason"],
        )
