"""The plugin's texts: its catalogue (`messages.toml`, Vietnamese and English side by side), read when
first needed, through parrules' public API, and `say`, which writes one in the voice of the run."""

from __future__ import annotations

from pathlib import Path

import parrules

MESSAGES = parrules.Catalogue.on_demand(Path(__file__).with_name("messages.toml"))
say = MESSAGES.say
