"""Prometheus metrics of every pipeline stage: one module per stage, each with its own registry.

Long-running processes serve `/metrics` (`serve`); one-shot commands push their stage's registry to a
Pushgateway when one is configured (`push`). Neither ever fails the stage it observes.
"""
