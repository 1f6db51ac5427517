"""How problems sit together in one text: the corpus's chained documents, weak-to-strong's few-shot
prompts and AlphaLLM's imagination prompts all join problems with SEPARATOR, and generation stops
at it (params.yaml `generation.stop`). A module of its own, importing nothing, so the rules whose
scripts join problems do not re-run when the corpus's flaws change (tasks/corpus.py)."""

SEPARATOR = "\n\n"  # between problems; solutions hold no blank line
