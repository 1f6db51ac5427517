"""AlphaLLM (Tian et al. 2024, arXiv 2404.12253): imagined prompts (imagine.py), three critics and
their data (critics.py), eta-MCTS (mcts.py), self-improvement rounds (improve.py), search against
sampling at equal compute (decode.py, compute.py), its tables and claims."""
