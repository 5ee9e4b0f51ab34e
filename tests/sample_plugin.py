"""A minimal third-party plugin module used by the plugin tests through a fake entry point."""

from parrules import Scored, hookimpl, to_decimal


def _double(leaf, values):
    return [Scored(to_decimal(v) * 2, f"{v} × 2") for v in values]


@hookimpl
def register_rule_kinds(register):
    register("sample.double", _double, description="Twice the declared number (a deliberately naive rule)",
             input_schema={"type": "number"})
