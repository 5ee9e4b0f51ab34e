"""Submissions: one unit's self-assessment, answers, evidence files and appraisal rounds, loaded and
checked against a set.
"""
