"""What every `parrules` command shares: exit codes, the voice it speaks in, writing its output,
usage errors, reading standard input, and the options several commands take.

Exit codes: 0 success, 1 problems in the data (each printed as file:line: key path: message),
2 wrong usage, 3 results that are incomplete (a criterion errored or was not evaluated; see
`say_incomplete`). A user's mistake never prints a traceback.

Every text a command prints comes from the message catalogue (`parrules/messages/catalogues/cli.toml`)
in the voice of the run: `--lang`, else the language the set or the campaign declares, else
Vietnamese. `main` opens the voice of a command (`command_voice`) and a command narrows it once it
knows its set (`speak`), so the messages `main` prints after a command failed — "3 problems found" —
are in the set's language too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parrules.messages import LANGUAGES, Voice, say, speaking

if TYPE_CHECKING:
    from parrules.campaign.run import Campaign
    from parrules.errors import Problem
    from parrules.plugins.registry import Command
    from parrules.scoring.results import UnitResult
    from parrules.sets.criteria_set import CriteriaSet
    from parrules.submissions.submission import Submission

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
DEFAULT_CHECK_TIMEOUT = 60
"""`parrules.scoring.checks.DEFAULT_CHECK_TIMEOUT`, written out so `parrules score --help` need not load
the scoring code (tests/cli/test_startup.py checks that the two agree)."""
_LISTED = 20  # units listed by name in the summary of an incomplete run; the rest are counted

STDIN = "-"
"""A submission path that reads one submission from standard input."""
STDIN_NAME = "<stdin>"
"""What messages and results call the submission read from standard input."""

_VOICES: ContextVar[ExitStack | None] = ContextVar("parrules_cli_voices", default=None)
_JSON_ERRORS: ContextVar[bool] = ContextVar("parrules_cli_json_errors", default=False)
_OUTSIDE_MAIN: list[ExitStack] = []


# -- the voice of a command ----------------------------------------------------------------------------
def add_language(p: argparse.ArgumentParser) -> None:
    """`--lang vi|en` (and `--vi`, its deprecated spelling for Vietnamese): the language of every text.

    None when not given: the set's or the campaign's declared language then applies (`speak`)."""
    p.add_argument("--lang", choices=LANGUAGES, default=None, help=say("cli.option.lang"))
    p.add_argument("--vi", dest="lang", action=_DeprecatedVi, nargs=0, help=say("cli.option.vi"))


class _DeprecatedVi(argparse.Action):
    """`--vi` sets `--lang vi` and says, once, that `--lang vi` is its name now."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        namespace.lang = "vi"
        namespace.deprecated_vi = True


@contextmanager
def command_voice(args: argparse.Namespace) -> Iterator[None]:
    """The voice a command runs in, held until the command and what `main` says after it are done.

    It starts as `--lang` (else Vietnamese); `speak` narrows it to the set's language and decimals
    for the rest of the command. Under `--format json` the problems are also written as JSON on
    standard output (`say_problems`)."""
    with ExitStack() as stack:
        stack.enter_context(speaking(getattr(args, "lang", None)))
        voices = _VOICES.set(stack)
        as_json = _JSON_ERRORS.set(getattr(args, "format", None) == "json")
        try:
            if getattr(args, "deprecated_vi", False) and not getattr(args, "quiet", False):
                print(say("cli.usage.deprecated_vi"), file=sys.stderr)
            yield
        finally:
            _JSON_ERRORS.reset(as_json)
            _VOICES.reset(voices)


def speak(args: argparse.Namespace, *declared: str | None, criteria: CriteriaSet | None = None) -> Voice:
    """Speak, for the rest of the command, in `--lang`, else the first language `declared` (the
    campaign's, the set's), else Vietnamese, with the set's decimals.

    Entered into the voice `main` holds (`command_voice`), so a problem raised later in the command
    is said in this voice too; called outside `main` (a test calling a command's `run`), the voice
    holds for the rest of the calling context."""
    language = getattr(args, "lang", None) or next((d for d in declared if d in LANGUAGES), None) or "vi"
    rounding = criteria.meta.rounding if criteria is not None else None
    voice = speaking(language, decimals=rounding.decimals if rounding else None,
                     percent_decimals=rounding.percent_decimals if rounding else None)
    stack = _VOICES.get()
    if stack is None:  # kept, never closed: a voice left to the garbage collector would be reset at random
        stack = ExitStack()
        _OUTSIDE_MAIN.append(stack)
    return stack.enter_context(voice)


def set_language(criteria: CriteriaSet) -> str:
    """The language a set's texts are in (`[set] language`, Vietnamese unless it says otherwise)."""
    return criteria.meta.language


def speak_campaign(args: argparse.Namespace, campaign: Campaign) -> Voice:
    """`speak` for a campaign: `--lang`, else the campaign's language, else its set's, else Vietnamese."""
    return speak(args, campaign.spec.language, set_language(campaign.criteria), criteria=campaign.criteria)


def report_language(voice: Voice) -> dict[str, Any]:
    """How `parrules.reports.render` is told the run's language: `language`, and `vietnamese` for a
    plugin's format written before there was a language (it asks only for 83,55)."""
    return {"language": voice.language, "vietnamese": voice.language == "vi"}


# -- what a command is called in help --------------------------------------------------------------------
def help_key(name: str) -> str:
    """The catalogue key of a built-in command's one-line help (`cli.command.score`)."""
    return f"cli.command.{name}"


def command_help(command: Command) -> str:
    """A command's one-line help: a built-in's from the catalogue in the current voice, a plugin's as
    its plugin registered it."""
    from parrules.plugins.registry import DEFAULT_PLUGINS

    return say(help_key(command.name)) if command.plugin in DEFAULT_PLUGINS else command.help


# -- options several commands take ---------------------------------------------------------------------
def add_quiet(p: argparse.ArgumentParser) -> None:
    """`--quiet`: print only the problems; the exit code says the rest."""
    p.add_argument("-q", "--quiet", action="store_true", help=say("cli.option.quiet"))


def add_progress(p: argparse.ArgumentParser) -> None:
    """`--progress`: the progress line even when standard error is not a terminal, from the start."""
    p.add_argument("--progress", action="store_true", help=say("cli.option.progress"))


def add_provisional(p: argparse.ArgumentParser) -> None:
    """The option that accepts incomplete results (exit 0 instead of 3); the reports still mark them."""
    p.add_argument("--provisional", action="store_true", help=say("cli.option.provisional"))


def add_check_timeout(p: argparse.ArgumentParser, *, default: float | None = None) -> None:
    """`--check-timeout SECONDS`: how long one evidence check may run before its criterion errors.

    Read by `check_timeout_seconds`, as `check_timeout` in a campaign file is, so both refuse the same
    values; a wrong one is wrong usage (exit 2). `args.check_timeout` is then seconds (0: no limit),
    or `default` when the option is not given: None, which the engine reads as its default and a
    campaign as "the campaign file's value".
    """

    def seconds(text: str) -> float:
        from parrules.scoring.checks import check_timeout_seconds

        try:
            return check_timeout_seconds(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    p.add_argument("--check-timeout", type=seconds, default=default, metavar=say("cli.metavar.seconds"),
                   help=say("cli.option.check_timeout", default=DEFAULT_CHECK_TIMEOUT))


def add_output(p: argparse.ArgumentParser, *, help_key: str = "cli.option.output") -> None:
    """`-o/--output FILE`: write the command's output to a file (atomically); `-` for standard output."""
    p.add_argument("-o", "--output", metavar=say("cli.metavar.file"), help=say(help_key))


# -- what a command says ------------------------------------------------------------------------------
def usage_error(message: str) -> int:
    """Say what was wrong with the command line, as argparse does; returns EXIT_USAGE.

    Under `--format json` the message is also written as JSON on standard output, as problems are."""
    print(say("cli.usage.error", message=message), file=sys.stderr)
    if _JSON_ERRORS.get():
        from parrules.errors import Problem

        _json_problems([Problem("", "", message, code="usage")])
    return EXIT_USAGE


def say_problems(problems: Sequence[Problem], *, scored: bool) -> int:
    """Print each problem as `error: file:line: key path: message (hint)` and how many there were;
    returns EXIT_DATA. `scored`: the command scores, so say that nothing was (never after `validate`).

    Under `--format json` the problems are also written on standard output as `{"problems": [...]}`,
    for the program that asked for JSON; the exit code is the same."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    count = len(problems)
    if scored:
        summary = say("cli.problems.one_not_scored") if count == 1 else say("cli.problems.many_not_scored", n=count)
    else:
        summary = say("cli.problems.one") if count == 1 else say("cli.problems.many", n=count)
    print(summary, file=sys.stderr)
    if _JSON_ERRORS.get():
        _json_problems(problems)
    return EXIT_DATA


def say_failure(message: str) -> int:
    """An error that is not a problem of one input (a plugin that failed, a report too big for one
    file), said as `error: message`; returns EXIT_DATA. Also as JSON under `--format json`."""
    print(f"error: {message}", file=sys.stderr)
    if _JSON_ERRORS.get():
        from parrules.errors import Problem

        _json_problems([Problem("", "", message, code="error")])
    return EXIT_DATA


def _json_problems(problems: Sequence[Problem]) -> None:
    from parrules.files.writing import to_json

    sys.stdout.write(to_json({"problems": [p.to_dict() for p in problems]}).decode("utf-8"))
    sys.stdout.flush()


def done(message: str, *, quiet: bool = False) -> None:
    """The last line of a command on standard error: what it did ("Scored 63 units, wrote 6 files to
    out/"), so a clerk knows without listing the folder; nothing under `--quiet`."""
    if not quiet:
        print(message, file=sys.stderr)


def parse_data(items: Sequence[str]) -> dict[str, Path]:
    """`--data NAME=PATH` options as a mapping; anything else is a usage error (exit 2)."""
    data = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise SystemExit(usage_error(say("cli.usage.data_option", item=repr(item))))
        data[name.strip()] = Path(value.strip())
    return data


def say_incomplete(units: Sequence[UnitResult], *, provisional: bool) -> int:
    """Say on standard error which units' figures are incomplete and why; the exit code for it.

    A criterion that errored (a check that failed, a file that could not be read) or that nothing
    scored (no answer, self-assessment or appraisal) counts as 0 points, so such a unit's total is
    not a figure to publish: the run says so loudly and, unless `provisional`, exits 3. These are
    problems, so `--quiet` prints them too.
    """
    from parrules.reports.views import status_label

    affected = [u for u in units if u.incomplete]
    if not affected:
        return EXIT_OK
    count = sum(len(u.incomplete) for u in affected)
    print(say("cli.incomplete.head", units=len(affected), total=len(units), criteria=count), file=sys.stderr)
    for unit in affected[:_LISTED]:
        parts = "; ".join(f"{leaf.code} {status_label(leaf.status)} — {leaf.error or leaf.explanation}"
                          for leaf in unit.incomplete)
        print(f"  {unit.unit.code} ({unit.unit.name}): {parts}", file=sys.stderr)
    if len(affected) > _LISTED:
        print(say("cli.incomplete.more", n=len(affected) - _LISTED), file=sys.stderr)
    if provisional:
        print(say("cli.incomplete.accepted"), file=sys.stderr)
        return EXIT_OK
    print(say("cli.incomplete.refused"), file=sys.stderr)
    return EXIT_INCOMPLETE


# -- where the output goes ---------------------------------------------------------------------------
def to_stdout(output: str | None) -> bool:
    """Whether a command's one output goes to standard output: no `-o`, or `-o -`."""
    return not output or output == STDIN


def terminal_width(output: str | None = None) -> int | None:
    """The width of the terminal the output is drawn on, or None when it is not drawn on one (a file,
    a pipe): tables then are plain text of any width, for scripts and tests."""
    import shutil

    if not to_stdout(output):
        return None
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or replaced stream
        return None
    return shutil.get_terminal_size().columns


def emit(text: str | bytes, output: str | None, *, announce: bool = True) -> None:
    """Write a command's output to `output` atomically, or to standard output when none or `-` is given.

    `announce`: say "Wrote FILE" on standard error (a command with a summary line of its own says
    it there instead)."""
    if not to_stdout(output):
        from parrules.files.writing import write_atomic

        assert output is not None
        write_atomic(output, text)
        if announce:
            done(say("cli.done.wrote", path=output))
    elif isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


# -- submissions, from files, folders and standard input ---------------------------------------------
def check_stdin(paths: Sequence[str]) -> None:
    """Refuse, before any work, a `-` given twice, or one with nothing piped in (exit 2)."""
    if list(paths).count(STDIN) > 1:
        raise SystemExit(usage_error(say("cli.usage.stdin_twice")))
    if STDIN in paths:
        try:
            interactive = sys.stdin.isatty()
        except (AttributeError, ValueError):
            interactive = False
        if interactive:
            raise SystemExit(usage_error(say("cli.usage.stdin_terminal")))


def load_submission_args(paths: Sequence[str]) -> list[Submission]:
    """The submissions a command was given: files, folders of them, and `-` for one read from
    standard input, in the order given; the problems of all of them are raised together."""
    from parrules.errors import Problem, ProblemsError, raise_if
    from parrules.submissions.folders import expand_submissions
    from parrules.submissions.submission import load_submissions

    check_stdin(paths)
    at = list(paths).index(STDIN) if STDIN in paths else len(paths)
    before, after = expand_submissions(paths[:at]), expand_submissions(paths[at + 1:])
    problems: list[Problem] = []
    piped = None
    if at < len(paths):
        try:
            piped = stdin_submission()
        except ProblemsError as exc:
            problems.extend(exc.problems)
    subs: list[Submission] = []
    try:
        subs = load_submissions([*before, *after])
    except ProblemsError as exc:
        problems.extend(exc.problems)
    if piped is not None:
        twin = next((s for s in subs if s.code == piped.code), None)
        if twin is not None:
            problems.append(Problem(STDIN_NAME, "unit.code", f"unit code '{piped.code}' is also used by {twin.source}"))
        subs.insert(len(before), piped)
    raise_if(problems)
    return subs


def stdin_submission() -> Submission:
    """One submission read from standard input, TOML or JSON (JSON when it starts with `{`), named
    `<stdin>`; its evidence files are relative to the current folder.

    Read as a file is: numbers as Decimal, TOML line numbers kept for the problems scoring finds, and
    the bytes' digest in the results' provenance."""
    import dataclasses
    import json
    from decimal import Decimal

    from parrules.errors import Problem, ProblemsError
    from parrules.files.digest import sha256_digest
    from parrules.files.reading import LineIndex, toml_document
    from parrules.submissions.submission import submission_from_dict

    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemsError([Problem(STDIN_NAME, "", f"not UTF-8 text (byte {exc.start})",
                                     hint="save the file as UTF-8")]) from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise ProblemsError([Problem(STDIN_NAME, "", f"JSON syntax error: {exc.msg}", line=exc.lineno,
                                         code="syntax")]) from None
        except (RecursionError, ValueError) as exc:
            raise ProblemsError([Problem(STDIN_NAME, "", f"not a PAR input: {exc}", code="syntax")]) from None
        if not isinstance(data, dict):
            raise ProblemsError([Problem(STDIN_NAME, "", "the top level must be an object")])
        lines = LineIndex()
    else:
        document = toml_document(text, Path(STDIN_NAME), raw)
        data, lines = document.data, document.lines
    sub = submission_from_dict(data, base_dir=Path.cwd(), source=STDIN_NAME)
    return dataclasses.replace(sub, sha256=sha256_digest(raw), lines=lines)
