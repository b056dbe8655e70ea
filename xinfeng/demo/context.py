"""Shared state passed through the demo generator steps."""

import random
from dataclasses import dataclass, field


@dataclass
class DemoContext:
    seed: int
    scale: str
    out: object  # a writer with .write(str), e.g. a management command's stdout
    rng: random.Random = field(init=False)
    data: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def say(self, message: str) -> None:
        self.out.write(message)

    def rng_for(self, step: str) -> random.Random:
        """An independent, deterministic generator per step, so adding a step or changing
        one step's draws never changes what another step generates."""
        return random.Random(f"{self.seed}:{step}")
