"""What can go wrong on purpose: a request-rate limit, injected 5xx, slow and malformed answers,
and the counters of all of it that the admin endpoint shows."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

# The 5xx answers TMDB gives when its backend struggles: (HTTP status, TMDB status_code).
SERVER_ERRORS = ((500, 11), (502, 43), (503, 9), (504, 24))
MAX_PATHS = 200  # distinct paths counted one by one; the rest go under "other"


@dataclass
class FaultConfig:
    fail_rate: float = 0.0
    slow_rate: float = 0.0
    malformed_rate: float = 0.0
    rate_limit: float | None = None  # requests per second; None: unlimited
    slow_delay_s: float = 2.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class TokenBucket:
    """`rate` requests per second with bursts of up to `rate` (at least one)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()

    def take(self) -> float:
        """0.0 if the request may go on, else the seconds until it could."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass(frozen=True)
class Decision:
    server_error: tuple[int, int] | None = None
    slow: bool = False
    malformed: bool = False


class FaultInjector:
    """Draws, per request, whether to fail, slow down or truncate the answer (seeded, so repeatable)."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self.config = config
        self.random = random.Random(seed ^ 0xFA017)
        self.bucket: TokenBucket | None = None
        self.configure()

    def configure(self, **changes: Any) -> FaultConfig:
        for name, value in changes.items():
            if not hasattr(self.config, name):
                raise ValueError(f"unknown fault setting {name!r}")
            setattr(self.config, name, value)
        limit = self.config.rate_limit
        self.bucket = TokenBucket(limit) if limit else None
        return self.config

    def retry_after(self) -> float:
        """0.0 if within the rate limit, else seconds to wait."""
        return self.bucket.take() if self.bucket else 0.0

    def decide(self) -> Decision:
        c = self.config
        if not (c.fail_rate or c.slow_rate or c.malformed_rate):
            return Decision()
        draw = self.random.random
        if c.fail_rate and draw() < c.fail_rate:
            return Decision(server_error=self.random.choice(SERVER_ERRORS))
        return Decision(
            slow=bool(c.slow_rate) and draw() < c.slow_rate,
            malformed=bool(c.malformed_rate) and draw() < c.malformed_rate,
        )


@dataclass
class Stats:
    requests: int = 0
    rate_limited: int = 0
    unauthorized: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    by_path: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)

    def count_path(self, path: str) -> None:
        key = path_template(path)
        if key not in self.by_path and len(self.by_path) >= MAX_PATHS:
            key = "other"
        self.by_path[key] += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "unauthorized": self.unauthorized,
            "faults": {kind: self.faults[kind] for kind in ("5xx", "slow", "malformed")},
            "by_path": dict(self.by_path),
            "by_status": {str(code): n for code, n in sorted(self.by_status.items())},
        }

    def reset(self) -> None:
        self.requests = self.rate_limited = self.unauthorized = 0
        self.faults.clear()
        self.by_path.clear()
        self.by_status.clear()


def path_template(path: str) -> str:
    """`/3/movie/550/credits` -> `/3/movie/{id}/credits`, so counters stay few."""
    parts = path.rstrip("/").split("/")
    return "/".join("{id}" if p[:1].isdigit() and p != "3" else p for p in parts)
