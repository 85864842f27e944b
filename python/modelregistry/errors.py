"""The exceptions the client raises: the CLI's own error codes, never guessed from its messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .gates import GateEvaluation


class RegistryError(Exception):
    """mreg refused or failed. ``code`` is the CLI's code (``NOT_FOUND``, ``DUPLICATE``,
    ``INVALID_INPUT``, ``GATE_FAILED``, ``USAGE`` for arguments it refuses, …), ``exit_code`` its exit
    status and ``message`` what it said was wrong and what to do."""

    def __init__(self, code: str, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, exit_code={self.exit_code!r})"


class NotFound(RegistryError):
    """No such model, version, alias, stage holder or blob (code ``NOT_FOUND``)."""


class GateFailed(RegistryError):
    """The policy's promotion gates refused the move (code ``GATE_FAILED``, exit code 3); nothing
    was changed. ``evaluation`` holds every rule with its verdict and numbers, when the gates were
    evaluated (registering straight into a guarded stage is refused before that: then it is None)."""

    def __init__(self, code: str, message: str, exit_code: int, evaluation: Optional[GateEvaluation]) -> None:
        super().__init__(code, message, exit_code)
        self.evaluation = evaluation


class CliNotFound(RuntimeError):
    """Neither ``MREG_CLI`` nor an ``mreg`` on PATH: the client has no registry to talk to."""
