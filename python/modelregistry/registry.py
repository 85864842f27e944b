"""``Registry``: the registry as Python sees it, every call one ``mreg --json`` command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from .cli import Cli
from .deletion import Deletion
from .model_version import Model, ModelVersion, SearchHit
from .register_arguments import StrPath, paths_argument, register_flags
from .resolved import PullResult, Resolved


class Registry:
    """A Model Registry, driven through the ``mreg`` CLI (``MREG_CLI``, else ``mreg`` on PATH).

    ``path`` is the registry folder; when None, mreg finds it as on the command line:
    ``$MREG_REGISTRY``, else ``.modelregistry`` at the root of the git repository around ``cwd``,
    else in ``cwd``. ``cwd`` (default: the current directory at each call) is the project: relative
    paths are taken from it and lineage (git, params files, environment) is captured from it.
    """

    def __init__(self, path: Optional[StrPath] = None, *, cwd: Optional[StrPath] = None, cli: Optional[Cli] = None) -> None:
        self.cwd: Optional[Path] = None if cwd is None else Path(os.path.abspath(cwd))
        # Fixed now, so a later os.chdir does not move the registry.
        self.path: Optional[Path] = None if path is None else Path(os.path.abspath(os.path.join(self.cwd or os.getcwd(), os.fspath(path))))
        self.cli = cli if cli is not None else Cli()

    def __repr__(self) -> str:
        return f"Registry({str(self.path) if self.path else None!r})"

    def _run(self, *args: str) -> Any:
        return self.cli.run(args, registry=self.path, cwd=self.cwd)

    # ── registering ─────────────────────────────────────────────────────────

    def register(
        self,
        model: str,
        paths: Union[StrPath, Sequence[StrPath]],
        *,
        metrics: Optional[Mapping[str, float]] = None,
        metric_directions: Optional[Mapping[str, str]] = None,
        params: Optional[Mapping[str, Any]] = None,
        data: Optional[Iterable[StrPath]] = None,
        semver: Optional[str] = None,
        description: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        stage: Optional[str] = None,
        reason: Optional[str] = None,
        params_from: Optional[StrPath] = None,
        metrics_from: Optional[StrPath] = None,
        discover: bool = True,
        require_clean: bool = False,
        inspect: bool = True,
    ) -> ModelVersion:
        """Registers files and folders as a new version of ``model``, as ``mreg register`` does.

        ``metrics`` are numbers (``metric_directions``: ``"max"`` or ``"min"`` for each);
        ``params`` keep their Python type (``"0.1"`` stays a string, ``0.1`` a number; str, int,
        float, bool or None). ``data`` are paths (hashed) or URIs. ``params_from``/``metrics_from``
        read them from a file or an MLflow/W&B run folder instead of discovering them;
        ``discover=False`` turns discovery off. Values mreg refuses (a NaN metric, a bad name, a
        taken semver) raise ``RegistryError`` before anything is written; an identical version
        raises one with code ``DUPLICATE`` naming it.
        """
        flags = register_flags(
            metrics=metrics, metric_directions=metric_directions, params=params, data=data, semver=semver, description=description,
            tags=tags, stage=stage, reason=reason, params_from=params_from, metrics_from=metrics_from, discover=discover,
            require_clean=require_clean, inspect=inspect,
        )
        return ModelVersion.from_json(self._run("register", *flags, "--", model, *paths_argument(paths)))

    # ── lifecycle ───────────────────────────────────────────────────────────

    def promote(self, ref: str, stage: str, *, reason: Optional[str] = None, override: bool = False) -> ModelVersion:
        """Moves a version to a stage (None, Staging, Production, Archived; any case). Promoting to
        Production archives the previous Production version. When the policy's gates refuse, raises
        ``GateFailed`` with the evaluation and changes nothing; ``override=True`` (with a reason)
        promotes anyway where the policy allows it."""
        flags = [f"--reason={reason}"] if reason is not None else []
        if override:
            flags.append("--override")
        doc = self._run("promote", *flags, "--", ref, stage)
        return ModelVersion.from_json(doc)

    def alias(self, ref: str, alias: str, *, reason: Optional[str] = None) -> ModelVersion:
        """Points an alias (``champion``, ``challenger`` …) at a version, moving it from wherever it pointed."""
        flags = [f"--reason={reason}"] if reason is not None else []
        return ModelVersion.from_json(self._run("alias", *flags, "--", ref, alias))

    def unalias(self, model: str, alias: str, *, reason: Optional[str] = None) -> None:
        flags = [f"--reason={reason}"] if reason is not None else []
        self._run("unalias", *flags, "--", model, alias)

    # ── editing and deleting ────────────────────────────────────────────────

    def describe(self, ref: str, description: Optional[str], *, reason: Optional[str] = None) -> Union[ModelVersion, Model]:
        """Sets the description of a version (``fraud/3``, ``fraud@champion``) or, given a bare name,
        of the model; ``None`` removes it. Registry metadata, not part of the manifest: the version
        stays the same version (same fingerprint), and the edit is an event in the audit log."""
        flags = [f"--reason={reason}"] if reason is not None else []
        if description is None:
            return _version_or_model(self._run("describe", *flags, "--clear", "--", ref))
        return _version_or_model(self._run("describe", *flags, "--", ref, description))

    def tag(
        self, ref: str, tags: Optional[Mapping[str, str]] = None, *, remove: Iterable[str] = (), reason: Optional[str] = None
    ) -> Union[ModelVersion, Model]:
        """Sets ``tags`` and removes the keys in ``remove`` on a version or, given a bare name, the
        model, in one event. Like a description, tags are not part of the manifest."""
        pairs = [f"{key}={value}" for key, value in (tags or {}).items()]
        flags = [f"--remove={key}" for key in remove] + ([f"--reason={reason}"] if reason is not None else [])
        return _version_or_model(self._run("tag", *flags, "--", ref, *pairs))

    def delete(self, ref: str, *, reason: str) -> Deletion:
        """Deletes a version (``fraud/3``; a bare model name is refused). Never one in Production,
        nor, when the policy says ``deletion.forbidIfEverInProduction``, one that ever was. The
        version leaves every listing; ``show``/``resolve`` of it then raise ``NotFound`` saying who
        deleted it, when and why; its number is never given again."""
        return Deletion.from_json(self._run("delete", f"--reason={reason}", "--", ref))

    def delete_model(self, model: str, *, reason: str) -> Deletion:
        """Deletes every version of a model (each by the rules of ``delete``; if one may not go,
        nothing goes), then the model. Its name stays taken, with its history in the audit log."""
        return Deletion.from_json(self._run("delete-model", f"--reason={reason}", "--", model))

    # ── serving ─────────────────────────────────────────────────────────────

    def resolve(self, ref: str) -> Resolved:
        """The exact version ``ref`` means now (``fraud@production``, ``fraud@champion``, ``fraud/3``,
        ``fraud@v1.2.0``), with each artifact's local file; artifacts not held here are fetched
        from the shared store and checked against their SHA-256 first. A bare model name means the
        latest version and warns (``RegistryWarning``): pin a stage, alias or number in production."""
        return Resolved.from_json(self._run("resolve", "--", ref))

    def pull(self, ref: str, to: StrPath, *, force: bool = False) -> PullResult:
        """Copies a version's artifacts into ``to`` under their relative paths, verifying every
        byte. A different file already there is never overwritten without ``force=True`` (then
        nothing at all is written: ``RegistryError`` code ``FILE_EXISTS``)."""
        target = os.path.abspath(os.path.join(self.cwd or os.getcwd(), os.fspath(to)))
        flags = [f"--to={target}"] + (["--force"] if force else [])
        return PullResult.from_json(self._run("pull", *flags, "--", ref))

    # ── reading ─────────────────────────────────────────────────────────────

    def models(self) -> List[Model]:
        return [Model.from_json(doc) for doc in self._run("models")]

    def versions(self, model: str) -> List[ModelVersion]:
        """A model's versions, newest first."""
        return [ModelVersion.from_json(doc) for doc in self._run("versions", "--", model)]

    def show(self, ref: str) -> ModelVersion:
        """One version with its artifacts and whole manifest (``.metrics``, ``.params``, ``.manifest``)."""
        return ModelVersion.from_json(self._run("show", "--", ref))

    def search(self, query: str, *, order_by: Optional[str] = None, limit: Optional[int] = None) -> List[SearchHit]:
        """Versions of every model matching a query in mreg's query language, e.g.
        ``"metrics.auc > 0.9 AND stage = 'Production'"``; ``order_by`` like ``"metrics.auc DESC"``."""
        flags = ([f"--order-by={order_by}"] if order_by is not None else []) + ([f"--limit={limit}"] if limit is not None else [])
        return [SearchHit.from_json(doc) for doc in self._run("search", *flags, "--", query)]


def _version_or_model(doc: Mapping[str, Any]) -> Union[ModelVersion, Model]:
    """``mreg describe``/``tag`` print the version they edited, or the model for a bare name."""
    return ModelVersion.from_json(doc) if "number" in doc else Model.from_json(doc)
