"""Weak-to-strong reasoning (Yang et al. 2024, arXiv 2407.13647): a weak model's labels, selected by
agreement with the strong model, train the strong model (stage I SFT, iterated; stage II DPO / ORPO)."""
