"""What the policy's promotion gates said about moving a version into a stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple


@dataclass(frozen=True)
class GateResult:
    """One rule: what it asks ("auc >= 0.9"), whether the version meets it, and the numbers that decided."""

    kind: str
    rule: str
    passed: bool
    detail: str
    overridable: bool

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> GateResult:
        return cls(kind=doc["kind"], rule=doc["rule"], passed=doc["passed"], detail=doc["detail"], overridable=doc["overridable"])


@dataclass(frozen=True)
class GateEvaluation:
    model: str
    version: int
    stage: str
    #: The Production version compared against, if any.
    production: Optional[int]
    passed: bool
    #: True when every failing rule allows ``override=True`` (and something failed).
    overridable: bool
    results: Tuple[GateResult, ...]
    approval_requests: Tuple[str, ...]

    @property
    def failed(self) -> Tuple[GateResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> GateEvaluation:
        return cls(
            model=doc["model"],
            version=doc["version"],
            stage=doc["stage"],
            production=doc.get("production"),
            passed=doc["passed"],
            overridable=doc["overridable"],
            results=tuple(GateResult.from_json(result) for result in doc["results"]),
            approval_requests=tuple(doc.get("approvalRequests", ())),
        )
