"""Problems found in user input, collected as values and raised once.

A clerk who writes a 90-leaf criteria set wants every mistake of the file in one run, each naming
the file, the key path, the line where we know it, and what to do. So loaders append `Problem`s to a
list and raise a single `ProblemsError` at the end; the CLI prints them and exits with code 1.

A problem is written for a person, so its message and hint come from the message catalogue
(`parrules/messages/catalogues/problems.toml`) in the voice active when it is raised: the CLI enters
the run's language (`--lang`, else Vietnamese) before it loads anything, and a program using the
library chooses with `parrules.speaking(language="en")` around the call. The text is fixed when the
problem is made; `code` (and `file`, `path`, `line`) are the same in every language, for programs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from parrules.messages import say


@dataclass(frozen=True)
class Problem:
    """One mistake in one input file."""

    file: str
    path: str
    message: str
    line: int | None = None
    hint: str | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class ParrulesError(Exception):
    """Base class of every error parrules raises on purpose."""


@dataclass
class ProblemsError(ParrulesError):
    """Raised once with every problem of an input, so the user can fix them all in one pass."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.problems)
        head = say("problem.found.one") if count == 1 else say("problem.found.many", n=count)
        return head + "\n" + "\n".join(f"  {p}" for p in self.problems)


class OutputError(ParrulesError):
    """The place an output was asked to go cannot take it: not a regular file (a directory, a device,
    a pipe), or under something that is not a folder. The command line reports it as wrong usage."""


class PluginError(ParrulesError):
    """A plugin registered something that does not fit the contract."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The hint clerks need for a typo: 'did you mean max_points?' ("có phải là 'max_points'?")."""
    import difflib  # only when a name was mistyped; every plugin imports this module

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return say("problem.did_you_mean", word=matches[0]) if matches else None


def key_path(*parts: object) -> str:
    """Render a TOML key path the way the user wrote it: criteria."3.4".max_points."""
    out: list[str] = []
    for part in parts:
        text = str(part)
        if isinstance(part, int):
            out.append(f"[{text}]")
            continue
        bare = text[:1].isalpha() and text.replace("_", "").replace("-", "").isalnum() and text.isascii()
        piece = text if bare else '"' + text.replace('"', '\\"') + '"'
        out.append(("." if out else "") + piece)
    return "".join(out)


def raise_if(problems: Sequence[Problem]) -> None:
    if problems:
        raise ProblemsError(list(problems))
