"""The one shape every problem found in a file takes, and the errors raised at the edges.

An :class:`Issue` is data (a stable ``code``, where it is, the offending value, a readable
message); the CLI prints it, the upload page tabulates it, tests assert on ``code`` and
``row``. Row numbers are the ones the user sees in their own file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    suggestions: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        return data


def error(code: str, message: str, **where: object) -> Issue:
    return Issue(code=code, message=message, severity="error", **where)  # type: ignore[arg-type]


def warning(code: str, message: str, **where: object) -> Issue:
    return Issue(code=code, message=message, severity="warning", **where)  # type: ignore[arg-type]


class EtlError(Exception):
    """Base for failures the CLI and pages turn into a message instead of a traceback."""


class UnreadableFileError(EtlError):
    """The bytes are not text in a known encoding, nor a workbook we can open (CLI exit 2)."""


class UnknownFormatError(EtlError, ValueError):
    """A file format no format table lists; the message names the ones that exist."""


class RollbackRefusedError(EtlError):
    """A later batch changed figures this batch set; rolling back would lose its work."""

    def __init__(self, batch_id: int, blocking_batch_ids: list[int], message: str) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.blocking_batch_ids = blocking_batch_ids


class BatchNotFoundError(EtlError):
    pass


def or_list(choices: list[str]) -> str:
    """``.csv、.txt 或 .xls``: the choices a message offers, the way the bureau writes them."""
    return " 或 ".join(["、".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)
