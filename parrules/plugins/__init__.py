"""Extension points: the hook specifications, the contracts plugins implement, and the registry that
loads plugins and records what each provides.
"""
