"""parrules.plugins.discovery finds what importlib.metadata finds, without importing it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from parrules.plugins import discovery

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("parrules", "console_scripts", "pytest11")


def _found_without_importlib_metadata() -> dict[str, object]:
    """What a fresh interpreter's `discovery` finds, importlib.metadata never imported."""
    script = f"""
import json, sys
from parrules.plugins import discovery
out = {{group: sorted([ep.name, ep.value, ep.dist.version if ep.dist else None]
                      for ep in discovery.entry_points(group)) for group in {list(GROUPS)!r}}}
out["versions"] = [discovery.version("parrules"), discovery.version("parrules-tthc"), discovery.version("no-such-dist")]
out["metadata imported"] = "importlib.metadata" in sys.modules
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


def test_entry_points_and_versions_agree_with_importlib_metadata() -> None:
    found = _found_without_importlib_metadata()
    assert found.pop("metadata imported") is False
    for group in GROUPS:
        expected = sorted([ep.name, ep.value, ep.dist.version if ep.dist else None]
                          for ep in metadata.entry_points(group=group))
        assert found[group] == expected, group
    assert found["parrules"], "the standard plugins are installed in the development environment"
    assert found["versions"] == [metadata.version("parrules"), metadata.version("parrules-tthc"), None]


def test_an_entry_point_loads_its_object() -> None:
    ep = next(ep for ep in discovery.entry_points("console_scripts") if ep.name == "parrules")
    from parrules.cli.main import main

    assert ep.load() is main


@pytest.mark.parametrize("value", ["not a module", "pkg:attr:more"])
def test_a_malformed_entry_point_is_an_error_of_that_plugin(value: str, tmp_path: Path, monkeypatch) -> None:
    dist = tmp_path / "parrules_broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: parrules-broken\nVersion: 1.0\n\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[parrules]\nbroken = {value}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "importlib.metadata")  # the direct reading of the files, in this process
    try:
        ep = next(ep for ep in discovery.entry_points("parrules") if ep.name == "broken")
        assert ep.dist is not None and ep.dist.version == "1.0"
        with pytest.raises(ValueError, match="is not 'module' or 'module:attribute'"):
            ep.load()
    finally:
        monkeypatch.undo()
    assert sys.modules["importlib.metadata"] is metadata
