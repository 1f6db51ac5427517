"""rule w2s_stage2_pairs -> reasonforge.w2s.pairs.stage2_pairs"""
from reasonforge import io, job
from reasonforge.w2s.tables import W2SLabels, W2SPairs
from reasonforge.w2s.pairs import PairRule, stage2_pairs

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    rule = PairRule(skip_below=cfg["w2s"]["stage2"]["skip_below"], flip_at=cfg["w2s"]["stage2"]["flip_at"])
    pairs, outcomes = stage2_pairs(io.read_table(sm.input.samples, W2SLabels), io.read_table(sm.input.weak, W2SLabels), rule, job.run_seed(sm))
    io.write_table(pairs, sm.output.pairs, W2SPairs)
    io.write_json(sm.output.stats, {"questions": sum(outcomes.values()), "pairs": len(pairs), "outcomes": outcomes})
    print(f"{sm.output.pairs}: {len(pairs)} pairs; per question: {outcomes}")
