"""Eurus / UltraInteract (Yuan et al. 2024, arXiv 2404.02078): preference trees from multi-turn
interaction, SFT and preference learning on them, reward models, best-of-N."""
