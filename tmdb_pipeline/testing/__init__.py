"""Harnesses for tests and benchmarks: the API and the TMDB emulator as real processes on free ports,
and sample Gold tables built from the emulator's catalogue.

Never imported by production code (import-linter's contracts in pyproject.toml check it); the
processes start, wait and stop through the stack's one way, `stack.process.LocalService`.
"""
