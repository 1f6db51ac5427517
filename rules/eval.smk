# Evaluation: results/eval/{model}/{benchmark}.parquet, then the summary, table, metrics, plot.


rule evaluate:
    """Greedy pass@1 (+ n sampled completions) of {model} on {benchmark}, verified by execution
    or exact answer checking."""
    input:
        model=lambda w: MODEL_DIRS[w.model],
        tasks=lambda w: expand("data/tasks/{b}/{s}.parquet", b=w.benchmark, s=benchmark_splits(w.benchmark)),
        code=code("evaluate"),
    output:
        "results/eval/{model}/{benchmark}.parquet",
    wildcard_constraints:
        model=one_of(MODEL_DIRS),
        benchmark=one_of(SYNTHETIC + EXTERNAL),
    params:
        cfg=conf("generation", "sandbox", "eval.n_samples", "eval.splits", "seed"),
    conda:
        ENV
    log:
        "logs/evaluate/{model}/{benchmark}.log",
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/evaluate.py"


rule summarize:
    """Long-format summary with 95% CIs, markdown table, DVC metrics and the accuracy plot."""
    input:
        samples=expand("results/eval/{model}/{benchmark}.parquet", model=config["eval"]["models"],
                       benchmark=config["eval"]["benchmarks"]),
        code=code("summarize"),
    output:
        summary="results/eval/summary.csv",
        table=report("results/eval/table.md", caption="../report/table.rst", category="Evaluation"),
        metrics=report("results/metrics.json", caption="../report/metrics.rst", category="Evaluation"),
        plot=report("results/plots/accuracy.png", caption="../report/accuracy.rst", category="Evaluation"),
    params:
        cfg=conf("eval.k"),
    conda:
        ENV
    log:
        "logs/summarize.log",
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/summarize.py"
