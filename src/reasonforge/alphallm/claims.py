"""AlphaLLM's claims over seeds: A1/A1b (eta-MCTS against greedy, self-consistency and best-of-N at
equal tokens), A2 (each rung of the ablation ladder helps), A3 (self-improvement)."""
from __future__ import annotations

from ..evaluate.claims import above_zero, check_seeds, mean_ci, seed_diff


def alphallm_claims(per_seed: dict[int, dict], ladder: list[str]) -> list[dict]:
    """per_seed[seed] = {
        "greedy": the starting policy's greedy accuracy on the compute problems,
        "mcts": eta-MCTS decoding's accuracy at alphallm.mcts.iterations, "mcts_tokens": its tokens per problem,
        "sc": self-consistency's and "bon_orm": best-of-N by the ORM's accuracy at mcts_tokens (log-token
              interpolation between their N), "sc_inside" / "bon_inside": whether mcts_tokens lay within their N,
        "ablation": {rung: accuracy} along `ladder` (its last rung: eta-MCTS),
        "start": the starting policy's and "round1": round 1's greedy test accuracy,
        "mcts_verifier": eta-MCTS's accuracy with the verifier scoring finished paths (same iterations),
        "bon_verifier": best-of-N by the verifier (a right sample when there is one) at mcts_tokens,
        "round1_verified": round 1's greedy test accuracy when trained on the search's right leaves instead,
        "kept_share", "kept_precision", "right_share": of round 1's searched problems, the share whose
            best leaf the ORM kept, the share of those that are right, the share that are right,
    } (accuracies over the AlphaLLM families, mean)."""
    check_seeds(per_seed)
    ms = list(per_seed.values())
    ci = lambda f: mean_ci([f(m) for m in ms])  # noqa: E731
    out = []
    vs_greedy = seed_diff(per_seed, lambda m: m["mcts"], lambda m: m["greedy"])
    vs_sc = seed_diff(per_seed, lambda m: m["mcts"], lambda m: m["sc"])
    out.append(dict(id="A1", claim="eta-MCTS decoding beats greedy decoding and self-consistency (at the tokens the search counted)",
                    rule="95% CIs of (eta-MCTS - greedy) and (eta-MCTS - self-consistency at equal tokens) both above 0",
                    numbers={"greedy": ci(lambda m: m["greedy"]), "eta-MCTS": ci(lambda m: m["mcts"]),
                             "self-consistency at equal tokens": ci(lambda m: m["sc"]), "eta-MCTS - greedy": vs_greedy,
                             "eta-MCTS - self-consistency": vs_sc},
                    ladder={"eta-MCTS, the verifier scoring finished paths (the ceiling of search)": ci(lambda m: m["mcts_verifier"]),
                            "eta-MCTS verifier - eta-MCTS (what the learned ORM loses)":
                                seed_diff(per_seed, lambda m: m["mcts_verifier"], lambda m: m["mcts"]),
                            "best-of-N by the verifier at equal tokens (the ceiling of sampling)": ci(lambda m: m["bon_verifier"])},
                    reproduced=above_zero(vs_greedy) and above_zero(vs_sc)))
    vs_bon = seed_diff(per_seed, lambda m: m["mcts"], lambda m: m["bon_orm"])
    out.append(dict(id="A1b", claim="eta-MCTS beats best-of-N reranked by the ORM at equal total tokens (policy, rollouts and "
                                    "critics all counted; the paper counted tree nodes only)",
                    rule="95% CI of (eta-MCTS - best-of-N ORM at equal tokens) above 0",
                    numbers={"tokens per problem, eta-MCTS": {**ci(lambda m: m["mcts_tokens"]), "scale": 1},
                             "best-of-N ORM at equal tokens": ci(lambda m: m["bon_orm"]), "eta-MCTS - best-of-N ORM": vs_bon},
                    ladder={"best-of-N by the verifier at equal tokens": ci(lambda m: m["bon_verifier"]),
                            "best-of-N verifier - ORM (what the ORM loses in reranking)":
                                seed_diff(per_seed, lambda m: m["bon_verifier"], lambda m: m["bon_orm"])},
                    reproduced=above_zero(vs_bon)))
    steps = {f"{b} - {a}": seed_diff(per_seed, lambda m, b=b: m["ablation"][b], lambda m, a=a: m["ablation"][a])
             for a, b in zip(ladder, ladder[1:])}
    whole = seed_diff(per_seed, lambda m: m["ablation"][ladder[-1]], lambda m: m["ablation"][ladder[0]])
    out.append(dict(id="A2", claim="Each part of eta-MCTS adds accuracy: " + " < ".join(ladder),
                    rule=f"95% CI of ({ladder[-1]} - {ladder[0]}) above 0 and every rung's mean difference from the one before >= 0",
                    numbers={**{r: ci(lambda m, r=r: m["ablation"][r]) for r in ladder}, **steps, f"{ladder[-1]} - {ladder[0]}": whole},
                    reproduced=above_zero(whole) and all(d["mean"] >= 0 for d in steps.values())))
    a3 = seed_diff(per_seed, lambda m: m["round1"], lambda m: m["start"])
    out.append(dict(id="A3", claim="A self-improvement round (SFT on the search's ORM-kept leaves of imagined problems) raises greedy accuracy",
                    rule="95% CI of (round 1 - starting policy) greedy test accuracy above 0",
                    numbers={"starting policy": ci(lambda m: m["start"]), "round 1": ci(lambda m: m["round1"]), "round 1 - start": a3},
                    ladder={"round 1 on the verified-right leaves (oracle filter)": ci(lambda m: m["round1_verified"]),
                            "round 1 verified - round 1 ORM-kept":
                                seed_diff(per_seed, lambda m: m["round1_verified"], lambda m: m["round1"]),
                            "share of searched problems whose best leaf the ORM kept": ci(lambda m: m["kept_share"]),
                            "share of the ORM-kept leaves that are right": ci(lambda m: m["kept_precision"]),
                            "share of searched problems whose best leaf is right": ci(lambda m: m["right_share"])},
                    reproduced=above_zero(a3)))
    return out
