"""Model Registry from Python: register from the training script, resolve from the serving code.

Every call runs the ``mreg`` CLI with ``--json`` (``$MREG_CLI``, a built ``cli.js`` run with
``node``, else ``mreg`` on PATH): the registry's rules live in one implementation, never here.

    import modelregistry as mr

    reg = mr.Registry()
    v = reg.register("fraud", ["model.onnx", "tokenizer/"], metrics={"auc": 0.93}, params={"lr": 0.001})
    reg.promote(v.ref, "production", reason="better AUC on the holdout")
    model_dir = mr.resolve_path("fraud@production")
"""

from .cli import Cli, RegistryWarning
from .deletion import DeletedVersion, Deletion
from .errors import CliNotFound, GateFailed, NotFound, RegistryError
from .gates import GateEvaluation, GateResult
from .mlflow_runs import register_mlflow_run
from .model_version import Artifact, DataRef, Model, ModelVersion, SearchHit
from .registry import Registry
from .resolved import PulledFile, PullResult, Resolved, ResolvedArtifact
from .serving import default_cache_dir, resolve_path

__all__ = [
    "Artifact",
    "Cli",
    "CliNotFound",
    "DataRef",
    "DeletedVersion",
    "Deletion",
    "GateEvaluation",
    "GateFailed",
    "GateResult",
    "Model",
    "ModelVersion",
    "NotFound",
    "PullResult",
    "PulledFile",
    "Registry",
    "RegistryError",
    "RegistryWarning",
    "Resolved",
    "ResolvedArtifact",
    "SearchHit",
    "default_cache_dir",
    "register_mlflow_run",
    "resolve_path",
]

__version__ = "0.1.0"
