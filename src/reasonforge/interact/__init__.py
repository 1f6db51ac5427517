"""UltraInteract's interaction loop: actor, interpreter (the sandbox), critic. See loop.py."""
from .critic import ModelCritic, verifier_critique
from .loop import InteractConfig, continue_context, critique_all, header, make_critic, observation, rollout

__all__ = ["InteractConfig", "ModelCritic", "continue_context", "critique_all", "header", "make_critic",
           "observation", "rollout", "verifier_critique"]
