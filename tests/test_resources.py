"""Every rule's threads and resources come from params.yaml's resources: section; on the dry-run of
each config, the rules that train, generate, score or search ask for a GPU under the paper overlay
and none under the CPU default, and the paper overlay plans the whole DAG without any weights."""
import re
import subprocess
import sys

import pytest

TRAINING = {"pretrain", "train_sft", "train_sft_reference", "train_preference", "train_reward", "w2s_train_sft",
            "w2s_stage2", "alphallm_critic", "alphallm_round", "alphallm_round_verified", "train_grpo"}
GENERATION = {"build_trees", "bon_samples", "evaluate", "evaluate_families", "w2s_weak_labels", "w2s_icl_labels", "w2s_relabel",
              "w2s_stage2_samples", "alphallm_imagine", "alphallm_samples", "alphallm_step_labels",
              "alphallm_sample_eval", "grpo_passk"}
SEARCH = {"alphallm_search", "alphallm_mcts"}
SCORING = {"bon_rerank", "rm_accuracy", "alphallm_critics_report", "alphallm_compute"}  # a reward model or critic reads


def planned(root, *args) -> dict[str, list[dict]]:
    """Rule -> the resources of each job a forced dry-run plans (claims included)."""
    out = subprocess.run([sys.executable, "-m", "snakemake", "-n", "-F", *args, "--", "all", "claims"], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    jobs: dict[str, list[dict]] = {}
    for rule, block in re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)+)", out, re.M):
        threads = re.search(r"^    threads: (\d+)$", block, re.M)
        res = re.search(r"^    resources: (.*)$", block, re.M)
        fields = dict(kv.split("=", 1) for kv in res.group(1).split(", ")) if res else {}
        jobs.setdefault(rule, []).append({"threads": int(threads.group(1)) if threads else 1,
                                          "gpu": int(fields.get("gpu", 0)), "mem_mb": fields.get("mem_mb"),
                                          "runtime": fields.get("runtime"), "launcher": fields.get("launcher")})
    return jobs


def base_rule(rule: str) -> str:
    """claims_evaluate_w2s -> evaluate: the claims target's rules are the methods' rules per seed."""
    if not rule.startswith("claims_") or rule in ("claims_eurus", "claims_w2s", "claims_alphallm"):
        return rule
    name = rule.removeprefix("claims_")
    return "evaluate" if name.startswith("evaluate") else name


@pytest.fixture(scope="module")
def default_plan(root):
    return planned(root)


@pytest.fixture(scope="module")
def paper_plan(root):
    return planned(root, "--configfile", "configs/paper.yaml")


def test_default_build_asks_for_no_gpu_and_sizes_every_job(default_plan):
    assert set(TRAINING | GENERATION | SEARCH) - {"pretrain"} <= set(default_plan)
    for rule, jobs in default_plan.items():
        if rule in ("all", "claims", "alphallm"):
            continue
        for job in jobs:
            assert job["gpu"] == 0, rule
            assert job["mem_mb"] and job["runtime"], rule  # from resources.<family>, not Snakemake's guesses
    assert {j["threads"] for j in default_plan["evaluate"]} == {1}  # resources.evaluate.threads


def test_paper_overlay_plans_the_whole_dag_with_gpus_where_models_run(paper_plan):
    rules = {base_rule(r) for r in paper_plan}
    assert {"import_model", "load_external"} <= rules and "pretrain" not in rules  # hub roles, real benchmarks
    assert (TRAINING - {"pretrain"}) | GENERATION | SEARCH | SCORING <= rules
    for rule, jobs in paper_plan.items():
        kind = base_rule(rule)
        if kind in ("all", "claims", "alphallm"):
            continue
        wants = kind in TRAINING | GENERATION | SEARCH | SCORING
        assert all((j["gpu"] >= 1) == wants for j in jobs), (rule, jobs)


def test_training_on_several_gpus_launches_one_process_per_gpu_and_the_plan_shows_it(default_plan, paper_plan):
    """The paper overlay's `train` family asks for 4 GPUs: its jobs run their script under torchrun, one
    process per GPU (trainjob.of), and the dry-run says so; jobs on one GPU or none run as they are."""
    for rule, jobs in paper_plan.items():
        for job in jobs:
            assert job["launcher"] == ("torchrun --standalone --nproc_per_node 4" if job["gpu"] > 1 else None), rule
    assert {base_rule(r) for r, jobs in paper_plan.items() if jobs[0]["launcher"]} == TRAINING - {"pretrain"}
    assert not any(job["launcher"] for jobs in default_plan.values() for job in jobs)


def test_pretraining_on_several_gpus_is_refused_naming_the_key(root):
    r = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--config", "resources={pretrain: {gpu: 2}}"], cwd=root,
                       capture_output=True, text=True)
    assert r.returncode != 0 and "resources.pretrain.gpu: 2: pretraining's own loop runs in one process" in r.stdout + r.stderr
