"""Registering what an MLflow training run left in its local file store, without importing mlflow."""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

from .model_version import ModelVersion
from .register_arguments import StrPath
from .registry import Registry


def register_mlflow_run(
    run_path: StrPath,
    model: str,
    paths: Optional[Union[StrPath, Sequence[StrPath]]] = None,
    *,
    registry: Optional[Registry] = None,
    **register_options: Any,
) -> ModelVersion:
    """Registers a local MLflow run (``mlruns/<experiment id>/<run id>``) as a new version of
    ``model``: its params and the last value of each metric are read by mreg's own MLflow reader
    (``--params RUN --metrics RUN``), and the run id becomes the tag ``mlflow.run_id``. ``paths``
    defaults to the run's ``artifacts`` folder. Other keywords are those of ``Registry.register``
    (``metric_directions``, ``data``, ``semver``, ``stage`` …)."""
    registry = registry if registry is not None else Registry()
    run = os.fspath(run_path)
    artifacts = paths if paths is not None else os.path.join(run, "artifacts")
    return registry.register(model, artifacts, params_from=run, metrics_from=run, **register_options)
