"""Campaigns: a year's assessment of many units — scored, ranked within cohorts, compared with last
year, gaps analysed — and its JSON.
"""
