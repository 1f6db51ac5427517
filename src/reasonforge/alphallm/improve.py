"""Self-improvement: eta-MCTS on the imagined problems; the best finished leaf of each, kept when
the ORM scores it at least `gamma`, is the next round's SFT data (responses only).

The imagined answers are not read to choose: they only say, in the table and the log, how often
the kept responses are right (the precision of self-labelling).
"""
from __future__ import annotations

import pandas as pd

from .mcts import MCTSConfig, search
from ..tasks.verify import verify_batch


def search_round(problems: pd.DataFrame, policy, critics: dict, rollout, cfg: MCTSConfig, gamma: float, sandbox,
                 timeout=None) -> pd.DataFrame:
    """problems: the kept imagined rows (id, task, form, prompt, answer). One AlphaSearch row each."""
    rows = problems.to_dict("records")
    result = search([r["prompt"] for r in rows], policy, critics, cfg, rollout=rollout, progress=True)
    leaves = result.best_leaves
    checked = [i for i, leaf in enumerate(leaves) if leaf is not None]
    verdicts = dict(zip(checked, verify_batch([rows[i] for i in checked], [leaves[i] for i in checked], sandbox, timeout=timeout)))
    out = pd.DataFrame(dict(
        id=[r["id"] for r in rows], task=[r["task"] for r in rows], form=[r["form"] for r in rows],
        prompt=[r["prompt"] for r in rows], answer=[r["answer"] for r in rows], completion=leaves,
        orm=result.best_orm, kept=[o is not None and o >= gamma for o in result.best_orm],
        correct=[i in verdicts and verdicts[i].correct for i in range(len(rows))]))
    t = result.tokens
    print(f"searched {len(rows)} problems: {out['completion'].notna().sum()} with a finished leaf, {out['kept'].sum()} kept "
          f"(ORM >= {gamma}), of which {out.loc[out['kept'], 'correct'].mean() if out['kept'].any() else float('nan'):.3f} right; "
          f"{t.total} tokens (policy {t.policy_read + t.policy_generated}, rollout {t.rollout_read + t.rollout_generated}, "
          f"critics {t.critic_read}), {result.merged} options merged")
    return out


def sft_rows(searched: pd.DataFrame, by: str = "kept") -> pd.DataFrame:
    """The kept leaves as SFT rows (the loss on the response only, as SFTTrainer does). by="correct":
    the leaves the verifier finds right instead (the oracle rung of A3's ladder, never the method)."""
    if by not in ("kept", "correct"):
        raise ValueError(f"self-improvement rows: keep by 'kept' (the ORM) or 'correct' (the verifier), not {by!r}")
    kept = searched[searched[by] & searched["completion"].notna()]
    return pd.DataFrame({"prompt": kept["prompt"], "completion": kept["completion"]}).reset_index(drop=True)
