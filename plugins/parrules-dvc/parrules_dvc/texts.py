"""The plugin's texts: its catalogue (`messages.toml`, Vietnamese and English side by side), loaded
once through parrules' public API, and `say`, which writes one in the voice of the run."""

from __future__ import annotations

from pathlib import Path

import parrules

MESSAGES = parrules.Catalogue.load(Path(__file__).with_name("messages.toml"))
say = MESSAGES.say
