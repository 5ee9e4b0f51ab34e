"""Scoring: evidence checks → rules → stages → totals for many units at once (`engine.score_many`),
and the immutable results.
"""
