"""UltraInteract preference trees: construction (build.py) and the data derived from them (extract.py)."""
from .build import TreeConfig, build_trees, parses
from .extract import contexts, pair_rows, sft_rows, stats_markdown

__all__ = ["TreeConfig", "build_trees", "contexts", "pair_rows", "parses", "sft_rows", "stats_markdown"]
