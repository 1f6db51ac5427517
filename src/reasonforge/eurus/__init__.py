"""Eurus / UltraInteract (Yuan et al. 2024, arXiv 2404.02078): the interaction loop of actor,
interpreter and critic (interact.py, critic.py), preference trees (trees.py) and the SFT and pair
data derived from them (derive.py), its tables and claims. Training is by the shared TRL adapters
(train/), best-of-N by evaluate/bon.py."""
