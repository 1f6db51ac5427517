"""AlphaLLM (Tian et al. 2024, arXiv 2404.12253): imagined prompts, three critics, eta-MCTS
(`reasonforge.search`), self-improvement rounds, and search against sampling at equal compute."""
