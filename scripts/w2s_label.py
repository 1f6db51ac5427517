"""rules w2s_weak_labels, w2s_icl_labels, w2s_relabel, w2s_stage2_samples -> reasonforge.w2s.labels.label"""
from transformers import AutoConfig, AutoTokenizer

from reasonforge import io, job
from reasonforge.w2s.tables import W2SLabels, W2SSplit
from reasonforge.w2s.labels import label
from reasonforge.w2s.select import icl_prompts

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, mode = sm.params.cfg, sm.params.mode  # greedy | icl | sample
    questions = io.read_table(sm.input.split, W2SSplit)
    questions = questions[questions["part"] == "train_2"].reset_index(drop=True)
    prompts, demos, n, temperature = list(questions["prompt"]), None, 1, 0.0
    if mode == "icl":
        weak = io.read_table(sm.input.weak, W2SLabels)
        tok = AutoTokenizer.from_pretrained(sm.input.model)
        room = AutoConfig.from_pretrained(sm.input.model).max_position_embeddings - cfg["generation"]["max_new_tokens"]
        prompts, demos = icl_prompts(questions, weak, cfg["w2s"]["icl"]["k"], job.run_seed(sm),
                                     fits=lambda p: len(tok(p)["input_ids"]) <= room)
        print(f"demonstrations per question: mean {sum(demos) / len(demos):.2f} of k={cfg['w2s']['icl']['k']} "
              f"(dropped where a prompt + {cfg['generation']['max_new_tokens']} new tokens exceeds the model's context)")
    elif mode == "sample":
        n, temperature = cfg["w2s"]["stage2"]["n"], cfg["w2s"]["stage2"]["temperature"]
    labels = label(sm.input.model, questions, prompts, cfg, seed=job.run_seed(sm), threads=sm.threads,
                   n=n, temperature=temperature, demos=demos)
    io.write_table(labels, sm.output[0], W2SLabels)
    answered = labels["answer"].notna().mean()
    print(f"{sm.output[0]}: {len(labels)} responses to {len(questions)} questions, {answered:.1%} with a final answer")
