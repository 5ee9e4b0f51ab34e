"""Reading and writing files: TOML/JSON input with the line of every key, deterministic JSON and
atomic writes, content hashes, the JSON Schemas of the formats.
"""
