"""rule alphallm_critics_report -> reasonforge.alphallm.critics.judge_metrics of each critic, held out"""
from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaSamples, AlphaStepLabels
from reasonforge.alphallm.critics import Critic, heldout_ids, judge_metrics, orm_rows, value_rows

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    samples, steps = io.read_table(sm.input.samples, AlphaSamples), io.read_table(sm.input.steps, AlphaStepLabels)
    held = heldout_ids(samples["id"], cfg["alphallm"]["critics"]["heldout"], seed=0)
    data = {"value": value_rows(samples), "prm": steps, "orm": orm_rows(samples)}
    report, lines = {}, ["| critic | model | held-out rows | positives | precision | recall | ECE | mean score |",
                         "|---|---|---|---|---|---|---|---|"]
    for (kind, rows), path in zip(data.items(), sm.input.critics):
        rows = rows[rows["id"].isin(held)]
        critic = Critic(path, threads=sm.threads)
        m = judge_metrics(rows["label"], critic.score(list(rows["prompt"]), list(rows["completion"])))
        report[kind] = {"model": path, **m}
        pct = lambda x: "n/a" if x is None else f"{100 * x:.1f}"  # noqa: E731
        lines.append(f"| {kind} | `{path}` | {m['n']} | {m['positives']} | {pct(m['precision'])} | {pct(m['recall'])} | "
                     f"{m['ece']:.3f} | {m['mean_score']:.3f} |")
    io.write_json(sm.output.metrics, report)
    io.write_text(sm.output.table, "\n".join(lines) + "\n")
    print("\n".join(lines))
