"""The tree a criteria set defines, as a clerk reads it in a terminal (`parrules show SET`).

A tailored set holds only its differences from the base; before publishing it a province wants to
read the whole set the engine will score (`parrules show SET --resolved`, `resolved_toml`).

Both speak in the voice of the run (`parrules/messages/catalogues/sets.toml`): the words around the
set's own texts, and its maxima written as the reader writes numbers (2,5 in Vietnamese).
"""

from __future__ import annotations

from pathlib import Path

from parrules.cli.tables import render
from parrules.files.reading import read_document
from parrules.files.toml_writer import criteria_set_toml
from parrules.messages import current_voice, say
from parrules.messages.numbers import format_number
from parrules.plugins.registry import Registry
from parrules.sets.codes import code_sort_key
from parrules.sets.criteria_set import CriteriaSet, load_criteria_set
from parrules.sets.tailoring import resolve


def tree_view(criteria: CriteriaSet) -> str:
    """The set's id, name and total, the files it was read from, and every node as a table row."""
    language = current_voice().language
    rows = [["  " * n.depth + n.code, n.name, format_number(n.max_points, None, language),
             n.rule.name if n.rule else "", n.check.name if n.check else ""] for n in criteria.walk()]
    lines = [say("show.head", id=criteria.id, name=criteria.meta.name, total=criteria.meta.total_points)]
    lines += [say("show.source", file=file, digest=digest) for file, digest in criteria.sources]
    headers = [say(f"show.column.{column}") for column in ("code", "name", "max", "rule", "check")]
    lines.append(render(headers, rows, [False, False, True, False, False]))
    return "\n".join(lines)


def resolved_toml(path: str | Path, registry: Registry | None = None) -> str:
    """The effective set as TOML: what the engine scores after every `extends` is applied.

    The set is validated first, so what is printed is a set that loads on its own.
    """
    criteria = load_criteria_set(path, registry)
    document = read_document(path, what=say("problem.what.criteria_set"))
    data = resolve(document).data
    order = sorted(data["criteria"], key=code_sort_key)
    files = "\n".join(f"  {file} {digest}" for file, digest in criteria.sources)
    comment = (say("show.resolved_comment", id=criteria.id) + f"\n{files}\n"
               + say("show.content_hash", hash=criteria.content_hash))
    return criteria_set_toml(data, order=order, comment=comment)
