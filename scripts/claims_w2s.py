"""rule claims_w2s -> reasonforge.w2s.claims.w2s_claims"""
from reasonforge import io, job
from reasonforge.w2s.tables import W2SGold, W2SLabels, W2SSelection
from reasonforge.evaluate.claims import greedy_test_accuracy_of, seed_of, write_claims
from reasonforge.evaluate.metrics import pgr
from reasonforge.w2s.claims import w2s_claims
from reasonforge.w2s.select import precision

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    seeds, algos = sm.params.cfg["claims"]["seeds"], sm.params.cfg["w2s"]["stage2"]["algos"]
    gold = io.read_table(sm.input.gold, W2SGold)
    names = sm.params.models  # evaluated model -> its name here (weak, naive, ceiling, stage1, stage2-<algo>)
    per_seed = {}
    for s in seeds:
        mine = lambda paths: [p for p in paths if seed_of(p) == s]  # noqa: E731
        acc = {short: greedy_test_accuracy_of([p for p in mine(sm.input.evals) if f"/{model}/" in p]) for model, short in names.items()}
        weak = io.read_table(mine(sm.input.weak)[0], W2SLabels)
        kept = io.read_table(mine(sm.input.kept)[0], W2SSelection).rename(columns={"weak_answer": "answer"})
        per_seed[s] = {"precision": {"all": precision(weak[["id", "task", "answer"]], gold),
                                     "kept": precision(kept[["id", "task", "answer"]], gold)},
                       "share_kept": len(kept) / len(weak),
                       "accuracy": acc, "pgr": {m: pgr(a, acc["weak"], acc["ceiling"]) for m, a in acc.items()}}
        print(f"seed {s}: {per_seed[s]}")
    claims = w2s_claims(per_seed, algos[0])
    note = ("Each seed reruns the whole chain on the same split and base models: the weak model's SFT on "
            "train_1 gold, its labels, the strong base's in-context labels, every stage-I iteration, stage II, "
            "the naive and ceiling models. Accuracies: greedy, test splits, mean over the weak-to-strong families.")
    print(write_claims("Weak-to-strong", claims, seeds, note, sm.output.table, sm.output.metrics))
