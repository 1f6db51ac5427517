"""GRPO with verifier rewards (Shao et al., arXiv 2402.03300; the online RL that TRL, verl and open-r1
train reasoning models with): the policy samples a group of completions per prompt, the project's
verifiers reward them, and TRL's `GRPOTrainer` moves the policy towards the completions above their
group's mean.

- `config`: the `grpo` params section (`GRPOMethodConfig`);
- `rewards`: the verifiers as TRL reward functions, one batched verification per step;
- `train`: `train_grpo`, TRL's trainer from a start model, timed per phase;
- `report`: the per-step table and the training plot;
- `tables`, `claims`: its schemas and G1-G3.
"""
