"""Running `parrules` in-process as a clerk does, for the hostile-set and hostile-submission tests.

Every run asserts what every bad input is promised (docs/bad-input.md): no traceback escapes and none
is printed, no NUL character reaches the terminal, and the whole of standard error stays one short
screen.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

import pytest

from parrules.cli.main import main
from parrules.messages import current_voice


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    def names(self, file: str, key: str, line: int | None = None) -> bool:
        """Whether one line of standard error names `file` (at `line`) and exactly the key path `key`."""
        head = f"{file}:{line}: " if line is not None else f"{file}"
        return any(head in text and f": {key}: " in text.split(file, 1)[1] for text in self.err.splitlines())

    def line_of(self, file: str, key: str) -> str:
        """The line of standard error naming `file` and `key`."""
        found = [text for text in self.err.splitlines() if file in text and f": {key}: " in text]
        assert found, self.err
        return found[0]


def run(capsys: pytest.CaptureFixture[str], *args: object) -> Ran:
    """`parrules ARGS` in the language the test speaks (`--lang` of the current voice unless given), so a
    test pinned to English reads English problems whatever language the set declares."""
    argv = [str(a) for a in args]
    if "--lang" not in argv and argv:
        argv[1:1] = ["--lang", current_voice().language]
    try:
        code = main(argv)
    except BaseException:  # noqa: BLE001 - what escapes is the failure this asserts against
        pytest.fail("an exception escaped parrules:\n" + traceback.format_exc())
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "Traceback" not in said, said
    assert "\0" not in said, "a NUL character was printed"
    assert len(captured.err) < 20_000, f"{len(captured.err)} characters of messages are not one clear message"
    return Ran(code, captured.out, captured.err)
