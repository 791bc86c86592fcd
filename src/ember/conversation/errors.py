"""Errors a user sees when a transcript cannot be read.

Each error says where (line or JSON field), what was wrong and what was
expected, so `ember analyze` can print one clear line instead of a traceback.
"""

from __future__ import annotations


class TranscriptError(ValueError):
    """A transcript file that cannot be parsed."""

    def __init__(
        self,
        problem: str,
        *,
        expected: str = "",
        line: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.problem = problem
        self.expected = expected
        self.line = line
        self.field = field
        self.source = source
        super().__init__(self.describe())

    def with_source(self, source: str) -> TranscriptError:
        """The same error, naming the file it came from."""
        return TranscriptError(
            self.problem, expected=self.expected, line=self.line, field=self.field, source=source
        )

    def describe(self) -> str:
        parts: list[str] = []
        if self.source:
            parts.append(self.source)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field {self.field}")
        where = ": ".join(parts)
        message = self.problem + (f"; expected {self.expected}" if self.expected else "")
        return f"{where}: {message}" if where else message
