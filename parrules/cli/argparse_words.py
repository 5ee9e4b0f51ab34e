"""argparse's own words — "usage:", "options", "show this help message and exit", "the following
arguments are required: …" — in the run's language.

argparse asks gettext for each of them (its module-level `_` and `ngettext`), so a translation is a
look-up of argparse's English message in the catalogue (`cli.argparse.*`, whose `en` texts are
argparse's own, `%(prog)s` and all). `speaking_argparse()` puts the look-up in place while `parrules`
builds its parser, parses and prints help or a usage error, and puts argparse's back after, so no
other user of argparse in the process is affected. A message argparse has that the catalogue lacks
stays English.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from parrules.messages import say

MESSAGES: dict[str, str] = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positional",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected %s argument": "cli.argparse.expected_n_one",
    "expected %s arguments": "cli.argparse.expected_n",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored_explicit",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse.unknown_parser",
    "unexpected option string: %s": "cli.argparse.unexpected_option",
}
"""argparse's English message → the catalogue key of it (its `en` text is the message itself)."""


def gettext(message: str) -> str:
    """argparse's message in the current voice (unchanged when the catalogue has no entry for it)."""
    key = MESSAGES.get(message)
    return message if key is None else say(key)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


@contextmanager
def speaking_argparse() -> Iterator[None]:
    """argparse speaks through `gettext` above inside the block (building a parser, parsing, help)."""
    names: dict[str, Callable[..., Any]] = {"_": gettext, "ngettext": ngettext}
    saved = {name: getattr(argparse, name) for name in names}
    for name, function in names.items():
        setattr(argparse, name, function)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(argparse, name, function)
