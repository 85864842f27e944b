"""Python values as ``mreg register`` flags, keeping their types: the CLI applies its own rules to them."""

from __future__ import annotations

import json
import numbers
import os
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

StrPath = Union[str, "os.PathLike[str]"]


def paths_argument(paths: Union[StrPath, Sequence[StrPath]]) -> List[str]:
    """One path or several; a lone string is one path, not a sequence of characters."""
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(path) for path in paths]


def _metric_text(name: str, value: Any) -> str:
    # bool is an int to Python, but True is no evaluation result.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"metric {name!r} is {value!r} ({type(value).__name__}); a metric is a number.")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    # repr() is the shortest text that reads back as the same double, as JavaScript's Number() reads
    # it; NaN and infinities come out as 'nan'/'inf', which mreg refuses as not finite.
    return repr(float(value))


def _json_scalar(value: Any) -> Any:
    """numpy and other numeric scalars as plain int/float, so json.dumps takes them."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"{value!r} ({type(value).__name__}) is not JSON")


def _param_json(value: Any) -> str:
    # NaN and infinities come out as NaN/Infinity, which mreg refuses: JSON has no such numbers.
    return json.dumps(value, default=_json_scalar, ensure_ascii=False)


def register_flags(
    *,
    metrics: Optional[Mapping[str, Any]],
    metric_directions: Optional[Mapping[str, str]],
    params: Optional[Mapping[str, Any]],
    data: Optional[Iterable[StrPath]],
    semver: Optional[str],
    description: Optional[str],
    tags: Optional[Mapping[str, str]],
    stage: Optional[str],
    reason: Optional[str],
    params_from: Optional[StrPath] = None,
    metrics_from: Optional[StrPath] = None,
    discover: bool = True,
    require_clean: bool = False,
    inspect: bool = True,
) -> List[str]:
    """The flags, each as ``--flag=value`` so a value starting with '-' is never read as a flag."""
    flags: List[str] = []
    for name, value in (metrics or {}).items():
        flags.append(f"--metric={name}={_metric_text(name, value)}")
    for name, direction in (metric_directions or {}).items():
        flags.append(f"--metric-direction={name}={direction}")
    for name, value in (params or {}).items():
        flags.append(f"--param-json={name}={_param_json(value)}")
    for item in data or ():
        flags.append(f"--data={os.fspath(item)}")
    for key, value in (tags or {}).items():
        if not isinstance(value, str):
            raise TypeError(f"tag {key!r} is {value!r} ({type(value).__name__}); tags are strings.")
        flags.append(f"--tag={key}={value}")
    for flag, text in (("semver", semver), ("description", description), ("stage", stage), ("reason", reason)):
        if text is not None:
            flags.append(f"--{flag}={text}")
    if params_from is not None:
        flags.append(f"--params={os.fspath(params_from)}")
    if metrics_from is not None:
        flags.append(f"--metrics={os.fspath(metrics_from)}")
    if not discover:
        flags.append("--no-discover")
    if require_clean:
        flags.append("--require-clean")
    if not inspect:
        flags.append("--no-inspect")
    return flags
