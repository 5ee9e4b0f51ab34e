"""Criteria sets: the TOML format, loading and validating a set (binding its rules and checks from a
registry), tailoring a set that `extends` another, diffing two sets, and the set as the official table.
"""
