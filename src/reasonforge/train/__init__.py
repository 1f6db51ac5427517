"""Training on TRL: one module per method (a run dataclass + a function that trains and writes a
loadable model directory with its per-step metrics). Shared set-up in common.py."""
