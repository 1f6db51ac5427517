# Instruction tables: data/tasks/{task}/{split}.parquet


rule make_tasks:
    """Synthetic family {task}: train / test / ood splits with verifiable answers or tests."""
    input:
        code=code("make_tasks"),
    output:
        train="data/tasks/{task}/train.parquet",
        test="data/tasks/{task}/test.parquet",
        ood="data/tasks/{task}/ood.parquet",
    wildcard_constraints:
        task=one_of(SYNTHETIC),
    params:
        cfg=lambda w: conf(f"tasks.{w.task}", "seed"),
    conda:
        ENV
    log:
        "logs/make_tasks/{task}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/make_tasks.py"


rule load_external:
    """A real benchmark (GSM8K, MATH, MBPP, HumanEval) in the same instruction table."""
    input:
        code=code("load_external"),
    output:
        test="data/tasks/{name}/test.parquet",
    wildcard_constraints:
        name=one_of(EXTERNAL),
    params:
        cfg=lambda w: conf(f"tasks.external.{w.name}"),
    conda:
        ENV
    log:
        "logs/load_external/{name}.log",
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/load_external.py"
