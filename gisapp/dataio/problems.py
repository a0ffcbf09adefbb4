"""What an import found wrong: every bad feature, named by file and feature, before any write.

Usage::

    problems = Problems("wards.shp")
    problems.add("feature 3 (code W03)", "geometry is a LineString; areas need polygons")
    problems.raise_if_any()      # ImportRejected listing all of them; nothing was written
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gisapp.errors import DataFileError


@dataclass(frozen=True)
class Problem:
    file: str
    feature: str  # "" for a problem with the whole file
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.feature}: {self.reason}"
            if self.feature
            else (f"{self.file}: {self.reason}")
        )


class ImportRejected(DataFileError):
    """The file has bad features (all listed in ``problems``); nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        n = len(problems)
        head = str(problems[0]) if problems else "no problems"
        more = f" (and {n - 1} more)" if n > 1 else ""
        super().__init__(f"{head}{more}; nothing was imported")
        self.problems = problems


@dataclass
class Problems:
    file: str
    found: list[Problem] = field(default_factory=list)

    def add(self, feature: str, reason: str) -> None:
        self.found.append(Problem(self.file, feature, reason))

    def fail(self, reason: str) -> ImportRejected:
        """A problem with the whole file: nothing more can be checked."""
        return ImportRejected([*self.found, Problem(self.file, "", reason)])

    def raise_if_any(self) -> None:
        if self.found:
            raise ImportRejected(list(self.found))

    def __bool__(self) -> bool:
        return bool(self.found)

    def __len__(self) -> int:
        return len(self.found)
