"""Synthetic campaigns: realistic Siècle-BEE and STS-Web exports for the demo, tests and
benchmarks (nothing real: names drawn from pools, ids made up). Imports domain and lxml only."""
