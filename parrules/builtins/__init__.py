"""The built-in rule kinds, checks, report formats and commands: plugins registered through the same
hooks as a province's own.
"""
