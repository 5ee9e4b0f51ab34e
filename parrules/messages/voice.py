"""The voice of a run: its language and how many decimals its numbers are shown with.

It is a context variable, not a parameter of every function that writes a sentence: the rules, the
stages and the reports all speak in the voice of the run that called them, and a plugin's check needs
no extra argument to write its explanation in the campaign's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

LANGUAGES = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Voice:
    """Language (`vi` or `en`), decimals for points, decimals for percentages and the index, and the
    set's rounding mode, so a figure in a sentence is rounded as the figure in the table is."""

    language: str = "vi"
    decimals: int = 2
    percent_decimals: int = 2
    mode: str = "half_up"


_VOICE: ContextVar[Voice] = ContextVar("parrules_voice", default=Voice())  # noqa: B039 - Voice is frozen


def current_voice() -> Voice:
    """The voice texts are written in now (Vietnamese, 2 decimals, when nothing was said)."""
    return _VOICE.get()


@contextmanager
def speaking(language: str | None = None, *, decimals: int | None = None,
             percent_decimals: int | None = None, mode: str | None = None) -> Iterator[Voice]:
    """Write every text inside the block in this language with these decimals and rounding mode (None
    keeps the current)."""
    voice = _VOICE.get()
    changes = {k: v for k, v in (("language", language), ("decimals", decimals),
                                 ("percent_decimals", percent_decimals), ("mode", mode)) if v is not None}
    if "language" in changes and changes["language"] not in LANGUAGES:
        raise ValueError(f"unknown language {changes['language']!r}: one of {', '.join(LANGUAGES)}")
    token = _VOICE.set(replace(voice, **changes) if changes else voice)
    try:
        yield _VOICE.get()
    finally:
        _VOICE.reset(token)
