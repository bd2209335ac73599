"""One exception tree. Every message starts with a code ("E101 …") and says how to fix it."""

from __future__ import annotations


class VigieError(Exception):
    """Base of every error Vigie raises on purpose; the CLI prints it on one line."""

    code = "E100"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


class WorkspaceError(VigieError):
    """The workspace folder is missing, not a workspace, or locked."""

    code = "E110"


class SourceError(VigieError):
    """A whole input file cannot be read: nothing from it is stored.

    ``path`` and ``location`` (line, byte offset or JSON path) name where it went wrong.
    """

    code = "E120"

    def __init__(self, path: str, location: str, message: str, code: str | None = None) -> None:
        where = f"{path}:{location}" if location else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.location = location
        self.reason = message
        if code:
            self.code = code


class UnknownFormatError(SourceError):
    code = "E121"


class UnsafeInputError(SourceError):
    """Zip bombs, paths escaping the export folder, files over the size limits."""

    code = "E122"


class AnalysisError(VigieError):
    code = "E130"


class QueryError(VigieError):
    code = "E140"
