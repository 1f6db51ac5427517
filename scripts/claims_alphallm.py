"""rule claims_alphallm -> reasonforge.alphallm.claims.alphallm_claims (accuracy_at from reasonforge.alphallm.compute)"""
from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaCompute, AlphaSearch
from reasonforge.alphallm.compute import LADDER, accuracy_at
from reasonforge.alphallm.claims import alphallm_claims
from reasonforge.evaluate.claims import greedy_test_accuracy_of, seed_of, write_claims

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    seeds, iterations = cfg["claims"]["seeds"], cfg["alphallm"]["mcts"]["iterations"]
    start = greedy_test_accuracy_of(sm.input.start)
    per_seed = {}
    for path in sm.input.computes:
        s, table = seed_of(path), io.read_table(path, AlphaCompute)
        mean = table[table["task"] == "mean"].set_index(["method", "budget"])
        mcts, tokens = mean.loc[("eta-mcts", iterations), "accuracy"], mean.loc[("eta-mcts", iterations), "tokens"]
        sc, sc_inside = accuracy_at(table, "self-consistency", tokens)
        bon, bon_inside = accuracy_at(table, "best-of-n orm", tokens)
        bon_verifier, _ = accuracy_at(table, "best-of-n verifier", tokens)
        rungs = LADDER if cfg["alphallm"]["compute"]["ablations"] else []
        ablation = {r: mean.loc[("eta-mcts", iterations) if r == LADDER[-1] else (f"ablation {r}", iterations), "accuracy"]
                    for r in rungs}
        round1 = greedy_test_accuracy_of([p for p in sm.input.rounds if seed_of(p) == s])
        verified = greedy_test_accuracy_of([p for p in sm.input.verified if seed_of(p) == s])
        search = io.read_table(next(p for p in sm.input.searches if seed_of(p) == s), AlphaSearch)
        per_seed[s] = dict(greedy=mean.loc[("greedy", 1), "accuracy"], mcts=mcts, mcts_tokens=tokens, sc=sc, sc_inside=sc_inside,
                           bon_orm=bon, bon_inside=bon_inside, ablation=ablation, start=start, round1=round1,
                           mcts_verifier=mean.loc[("eta-mcts verifier", iterations), "accuracy"], bon_verifier=bon_verifier,
                           round1_verified=verified, kept_share=float(search["kept"].mean()),
                           kept_precision=float(search.loc[search["kept"], "correct"].mean()) if search["kept"].any() else 0.0,
                           right_share=float(search["correct"].mean()))
        print(f"seed {s}: {per_seed[s]}")
    if not cfg["alphallm"]["compute"]["ablations"]:
        raise ValueError("claims_alphallm: A2 needs the ablation ladder (alphallm.compute.ablations: true)")
    claims = alphallm_claims(per_seed, LADDER)
    outside = [s for s, m in per_seed.items() if not (m["sc_inside"] and m["bon_inside"])]
    note = ("Each seed retrains the three critics on the same data, reruns every search and sampling run of the compute "
            "problems (the first alphallm.compute.problems of each family's test split) and round 1 of self-improvement "
            "on the same imagined problems. Accuracies: mean over the AlphaLLM families. Equal tokens: the sampling "
            "method's accuracy interpolated in log tokens at eta-MCTS's own count (policy prompt and decoded tokens, "
            "rollouts, every token a critic read)."
            + (f" At seeds {outside} eta-MCTS's tokens lay beyond the sampling budgets: the nearest budget's accuracy is used."
               if outside else ""))
    print(write_claims("AlphaLLM", claims, seeds, note, sm.output.table, sm.output.metrics))
