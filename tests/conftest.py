import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    return Path(sys.executable).parent


class Scripted:
    """A stand-in generator: fn(prompt, sample index) -> completion text; records each call as
    (prompts, n, temperature)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def generate(self, prompts, cfg, progress=False):
        from reasonforge.models.generate import Completion

        self.calls.append((list(prompts), cfg.n, cfg.temperature))
        return [[Completion(self.fn(p, j), 5, "stop") for j in range(cfg.n)] for p in prompts]


@pytest.fixture(scope="module")
def sandbox():
    from reasonforge.sandbox import Sandbox

    with Sandbox(workers=2) as sb:
        yield sb
