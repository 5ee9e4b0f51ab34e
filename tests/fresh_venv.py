"""One fresh virtual environment for the tests that install packages the way a province does.

Creating a venv and installing parrules into it takes tens of seconds, so the scaffold test and the
local-plugin test share one per test session (a module-level cache, since pytest fixtures cannot be
shared between modules without conftest.py). Packages are installed with plain `pip install`, from the
repository's source tree, exactly as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_PLUGIN = ROOT / "plugins" / "province-local-example"

_venv: Path | None = None
_JUNK = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".pytest_cache")


def bin_path(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def run(args: list[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the assertion shows its output, which is what one needs to debug."""
    merged = {k: v for k, v in os.environ.items() if not k.startswith(("PARRULES_", "PYTEST_", "VIRTUAL_ENV"))}
    merged.update(env or {})
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=merged, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return done


def fresh_venv(tmp_path_factory) -> Path:
    """A venv with parrules (from this repository), the example local plugin and pytest installed."""
    global _venv
    if _venv is None:
        work = tmp_path_factory.mktemp("fresh")
        venv = work / "venv"
        done = run([sys.executable, "-m", "venv", venv])
        assert done.returncode == 0, done.stderr
        # Build from copies: an in-tree build writes build/ and *.egg-info into the checkout, where
        # another test run may be building at the same moment.
        source = work / "parrules-src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(ROOT / "parrules", source / "parrules", ignore=_JUNK)
        plugin = shutil.copytree(LOCAL_PLUGIN, work / "local-plugin-src", ignore=_JUNK)
        done = run([bin_path(venv, "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    source, plugin, "pytest"])
        assert done.returncode == 0, done.stdout + done.stderr
        _venv = venv
    return _venv
