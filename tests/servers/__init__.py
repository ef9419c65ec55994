"""Throwaway directory servers for the tests and the benchmarks: each started by the project's own
code, on loopback only, in a temporary folder, and stopped by PID."""
