"""`parrules plugins [--json]`: every plugin with what it provides, and plugins that failed to load."""

from __future__ import annotations

import argparse
import sys

from parrules.cli.common import EXIT_OK, add_language, command_help, terminal_width
from parrules.messages import say

NAME = "plugins"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=say("cli.plugins.arg.json"))
    add_language(p)


def run(args: argparse.Namespace) -> int:
    from parrules.cli.tables import render
    from parrules.files.writing import to_json
    from parrules.plugins.registry import default_registry

    registry = default_registry()
    infos = registry.plugins()
    if args.json:
        data = {
            "plugins": [{"name": i.name, "version": i.version, "builtin": i.builtin, "hooks": list(i.hooks),
                         "rule_kinds": list(i.rule_kinds), "checks": list(i.checks),
                         "report_formats": list(i.report_formats), "commands": list(i.commands)} for i in infos],
            "rule_kinds": {k: {"plugin": v.plugin, "description": v.description}
                           for k, v in sorted(registry.rule_kinds.items())},
            "checks": {k: {"plugin": v.plugin, "description": v.description, "metrics": dict(v.metrics)}
                       for k, v in sorted(registry.checks.items())},
            "report_formats": {k: {"plugin": v.plugin, "description": v.description, "suffix": v.suffix}
                               for k, v in registry.report_formats.items()},
            "commands": {k: {"plugin": v.plugin, "help": v.help} for k, v in registry.commands.items()},
            "failures": [{"name": f.name, "error": f.error} for f in registry.failures],
        }
        sys.stdout.write(to_json(data).decode())
        return EXIT_OK
    rows = [[i.name, i.version, ", ".join(i.hooks), ", ".join(i.rule_kinds) or "—", ", ".join(i.checks) or "—"]
            for i in infos]
    headers = [say("cli.plugins.plugin"), say("cli.plugins.version"), say("cli.plugins.hooks"),
               say("cli.plugins.rule_kinds"), say("cli.plugins.checks")]
    print(render(headers, rows, [False] * 5, width=terminal_width()))
    print(f"\n{say('cli.plugins.rule_kinds')}:")
    for name, kind in sorted(registry.rule_kinds.items()):
        print(f"  {name:<20} {kind.description}  [{kind.plugin}]")
    print(f"\n{say('cli.plugins.checks')}:")
    for name, check in sorted(registry.checks.items()):
        print(f"  {name:<20} {check.description}  [{check.plugin}]")
        for metric, text in check.metrics.items():
            print("      " + say("cli.plugins.metric", name=metric, text=text))
    print(f"\n{say('cli.plugins.report_formats')}:")
    for name, fmt in registry.report_formats.items():
        print(f"  {name:<20} {fmt.description} ({fmt.suffix})  [{fmt.plugin}]")
    print(f"\n{say('cli.plugins.commands')}:")
    for name, command in registry.commands.items():
        print(f"  {name:<20} {command_help(command)}  [{command.plugin}]")
    for failure in registry.failures:
        print("\n" + say("cli.warning.plugin_skipped", name=failure.name, error=failure.error), file=sys.stderr)
    return EXIT_OK
