"""`parrules serve`: registered like any command; imports and exports campaign files; serves the API
from several worker processes that share nothing but the database."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import httpx2 as httpx
import pytest

import parrules
from parrules import hookimpl
from parrules.cli.main import build_parser
from parrules.service import command
from tests.service.conftest import PASSWORD, ROOT, Service
from tests.service.helpers import FIRST_SET
from tests.service.processes import Server


class ServeCommand:
    """The one registration `parrules.builtins.commands` needs, as a plugin would write it."""

    @hookimpl
    def register_commands(self, register):  # type: ignore[no-untyped-def]
        register(command.NAME, command.run, help=command.HELP, arguments=command.arguments)


def test_serve_is_a_command_like_the_others() -> None:
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(ServeCommand(), name="serve-test")
    args = build_parser(registry).parse_args(["serve", "--demo", "--port", "8123", "--workers", "2"])
    assert (args.command, args.demo, args.port, args.workers, args.host) == ("serve", True, 8123, 2, "127.0.0.1")
    assert registry.commands["serve"].run is command.run


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="parrules serve")
    command.arguments(parser)
    return command.run(parser.parse_args(list(argv)))


def test_serve_imports_a_campaign_file_and_exports_it_back(service: Service, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "environ", dict(os.environ))  # the command sets PARRULES_* for its workers
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(f'[campaign]\nid = "first-2024"\nname = "Thử"\ncriteria_set = "{FIRST_SET.as_posix()}"\n'
                        f'submissions = ["{(ROOT / "examples/first-set/submissions").as_posix()}"]\n', "utf-8")
    url = service.settings.url
    assert _run("--database", url, "--data-dir", str(tmp_path / "data"), "--import", str(campaign)) == 0
    assert _run("--database", url, "--data-dir", str(tmp_path / "data"), "--export", "first-2024",
                str(tmp_path / "out")) == 0
    exported = parrules.load_campaign(tmp_path / "out" / "campaign.toml")
    assert sorted(p.name for p in exported.submission_files) == ["so-noi-vu.json", "so-tu-phap.json"]
    ours = parrules.run_campaign(exported).run
    theirs = parrules.run_campaign(parrules.load_campaign(campaign)).run
    assert [(u.unit.code, u.total_points, u.index, u.band) for u in ours.units] == \
        [(u.unit.code, u.total_points, u.index, u.band) for u in theirs.units]
    assert ours.unit("SNV").leaf("1.1").computed_points == 1  # its evidence file came along, under the service's name
    with pytest.raises(parrules.ProblemsError, match="already has a campaign"):
        _run("--database", url, "--import", str(campaign))
    with pytest.raises(parrules.ParrulesError, match="no campaign 'nope'"):
        _run("--database", url, "--export", "nope", str(tmp_path / "x"))


def test_two_worker_processes_serve_one_database(service: Service, tmp_path: Path) -> None:
    with Server(service.settings.url, tmp_path / "data", workers=2) as server:
        base = server.base
        token = httpx.post(f"{base}/auth/login", json={"username": "admin", "password": PASSWORD}, timeout=30).json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        # each request on a new connection, so the two workers share the load: the token, written by
        # one, is read by the other from the database
        answers = [httpx.get(f"{base}/auth/me", headers=headers, timeout=30) for _ in range(12)]
        assert [a.status_code for a in answers] == [200] * 12
        assert httpx.post(f"{base}/auth/logout", headers=headers, timeout=30).status_code == 204
        assert [httpx.get(f"{base}/auth/me", headers=headers, timeout=30).status_code for _ in range(6)] == [401] * 6
