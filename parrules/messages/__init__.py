"""Every text a person reads, in Vietnamese and English, from catalogues of TOML files.

A clerk reads explanations, flags, statuses and column names in the language of the run: the set or
the campaign declares it (Vietnamese for the sets we ship), `--lang` overrides it. Texts live in
catalogues — TOML files where each entry gives the same message in both languages side by side, so a
translator sees one beside the other and a missing translation is an error when the catalogue is
loaded, not a blank in a published report. Plugins load catalogues of their own the same way
(`parrules.Catalogue.load`).

Numbers in messages are formatted as the reader expects (83,55 in Vietnamese) and rounded as the set
declares: a placeholder says what it holds — `{total:points}`, `{rate:percent}`, `{n:count}`,
`{day:date}` — and the voice of the run (`speaking`) gives the language and the decimals.
"""

from parrules.messages.catalogue import CORE, Catalogue, CatalogueError, say
from parrules.messages.voice import LANGUAGES, Voice, current_voice, speaking

__all__ = ["CORE", "LANGUAGES", "Catalogue", "CatalogueError", "Voice", "current_voice", "say", "speaking"]
