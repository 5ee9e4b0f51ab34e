"""The `parrules` command: one module per command, each registered by `parrules.builtins.commands`.
"""

