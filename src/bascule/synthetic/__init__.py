"""Synthetic campaigns: realistic Siècle-BEE and STS-Web exports for the demo, tests and benchmarks.

Nothing here is real personal data: names are drawn from pools, ids are made up.
"""
