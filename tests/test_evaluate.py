import json
import math

import numpy as np
import pandas as pd
import pytest

from reasonforge import io
from reasonforge.tables import EvalSamples, Summary
from reasonforge.evaluate import metrics, report
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import Completion


def test_wilson_known_values():
    lo, hi = metrics.wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    lo, hi = metrics.wilson(0, 20)
    assert lo == 0.0 and hi == pytest.approx(0.1611, abs=1e-3)
    assert metrics.wilson(0, 0) == (0.0, 1.0)


def test_pass_at_k_matches_combinatorics():
    n, c, k = 10, 3, 4
    assert metrics.pass_at_k(n, c, k) == pytest.approx(1 - math.comb(n - c, k) / math.comb(n, k))
    assert metrics.pass_at_k(5, 0, 3) == 0.0 and metrics.pass_at_k(5, 3, 3) == 1.0
    assert metrics.pass_at_k(8, 2, 1) == pytest.approx(0.25)


def test_majority_index_ties_go_to_the_earliest_vote():
    assert metrics.majority_index([None, "4", "3", "3", "4"]) == 1
    assert metrics.majority_index(["5", None, "6", "6"]) == 2
    assert metrics.majority_index([None, None]) is None


def test_majority_vote():
    assert metrics.majority_correct(["3", "4", "4", None], [True, False, False, False]) is False
    assert metrics.majority_correct(["3", "3", "4"], [True, True, False]) is True
    assert metrics.majority_correct([None, None], [False, False]) is False
    assert metrics.majority_correct(["5", "6"], [False, True]) is False  # tie -> earliest


def test_bootstrap_ci_brackets_mean():
    vals = np.array([0, 1] * 50, dtype=float)
    lo, hi = metrics.bootstrap_ci(vals)
    assert lo < 0.5 < hi and hi - lo < 0.3


class FakeGenerator:
    """Answers 'Answer: <gold>' for even ids, a wrong answer otherwise; samples alternate."""

    def __init__(self, rows):
        self.gold = {r["prompt"]: (i, r["answer"]) for i, r in enumerate(rows)}

    def generate(self, prompts, cfg, progress=False):
        out = []
        for p in prompts:
            i, gold = self.gold[p]
            texts = [f"Answer: {gold if (i + (j if cfg.temperature else 0)) % 2 == 0 else 'Zed'}" for j in range(cfg.n)]
            out.append([Completion(t, 3, "eos") for t in texts])
        return out


def samples_for(model="m", n_samples=4, sampled_splits=None):
    rows = pd.DataFrame(dict(id=[f"l-{i}" for i in range(10)], task="logic", source="synthetic",
                             split=["test"] * 6 + ["ood"] * 4, difficulty=1, form="cot",
                             prompt=[f"Q{i}\n" for i in range(10)], answer="Ann", tests=None, solution=None))
    gen = {"max_new_tokens": 8, "batch_size": 4, "temperature": 0.8, "top_p": 1.0}
    return evaluate(FakeGenerator(rows.to_dict("records")), rows, model, "logic", gen, n_samples, sandbox=None,
                    sampled_splits=sampled_splits)


def test_evaluate_produces_valid_per_sample_table(tmp_path):
    df = samples_for()
    io.write_table(df, tmp_path / "results/eval/m/logic.parquet", EvalSamples)
    greedy = df[df["greedy"]]
    assert len(greedy) == 10 and len(df) == 10 + 40
    assert list(greedy["correct"]) == [i % 2 == 0 for i in range(10)]
    assert set(df.loc[~df["greedy"], "sample"]) == {1, 2, 3, 4}



def test_sampling_only_the_splits_asked():
    """eval.sampled_splits: greedy decodes every split, the n samples only the splits named."""
    df = samples_for(sampled_splits=["test"])
    assert len(df[df["greedy"]]) == 10 and set(df.loc[~df["greedy"], "split"]) == {"test"} and len(df) == 10 + 6 * 4
    summary = report.summarize(df, ks=[1])
    assert set(summary.query("split == 'ood'")["metric"]) == {"greedy"}


def test_summary_table_metrics_and_plot(tmp_path):
    df = pd.concat([samples_for("m"), samples_for("other", n_samples=4)])
    summary = report.summarize(df, ks=[1, 2, 4])
    io.write_table(summary, tmp_path / "results/eval/summary.csv", Summary)
    row = summary.query("model == 'm' and split == 'test' and metric == 'greedy'").iloc[0]
    assert row["value"] == pytest.approx(0.5) and row["n"] == 6 and row["ci_low"] < 0.5 < row["ci_high"]
    # every prompt has 2 correct samples of 4: pass@1 = 0.5, pass@2 = 1 - C(2,2)/C(4,2), pass@4 = 1
    p = summary.query("model == 'm' and split == 'test'").set_index("metric")["value"]
    assert p["pass@1"] == pytest.approx(0.5) and p["pass@2"] == pytest.approx(1 - 1 / 6) and p["pass@4"] == 1.0
    with pytest.raises(ValueError, match="pass@8: m on logic (ood|test) has only 4 samples"):
        report.summarize(df, ks=[8])  # more than n samples: an error, never a silently missing row
    assert "maj@4" in p
    md = report.full_markdown(summary)
    assert "| m |" in md and "logic test" in md and "pass@2" in md
    assert report.metrics_json(summary)["m"]["logic"]["test"]["greedy"] == 0.5
    plot = tmp_path / "acc.png"
    report.plot_accuracy(summary, str(plot))
    assert plot.read_bytes()[:4] == b"\x89PNG"
    json.dumps(report.metrics_json(summary))


def test_reward_trends_table_and_plot(tmp_path):
    tables = {"dpo": pd.DataFrame({"step": [1, 2], "rewards_chosen": [0.0, -0.5], "rewards_rejected": [0.0, -1.0],
                                   "loss": [0.7, 0.6]}),
              "kto": pd.DataFrame({"step": [1, 2], "rewards_chosen": [0.0, 0.2], "rewards_rejected": [0.0, -0.3]})}
    trends = report.reward_trends(tables)
    assert list(trends.columns) == ["algo", "step", "chosen", "rejected"] and len(trends) == 4
    assert trends[trends["algo"] == "dpo"]["chosen"].tolist() == [0.0, -0.5]
    report.plot_reward_trends(trends, str(tmp_path / "t.png"))
    assert (tmp_path / "t.png").stat().st_size > 1000
    with pytest.raises(ValueError, match=r"orpo: metrics.parquet lacks \['rewards_rejected'\]"):
        report.reward_trends({"orpo": pd.DataFrame({"step": [1], "rewards_chosen": [0.1]})})


def test_results_page_gathers_the_pages_under_their_paths(tmp_path):
    (tmp_path / "results/eval").mkdir(parents=True)
    (tmp_path / "results/plots").mkdir()
    (tmp_path / "data").mkdir()
    table, plot, stats, metrics = (tmp_path / "results/eval/table.md", tmp_path / "results/plots/a.png",
                                   tmp_path / "data/stats.md", tmp_path / "results/m.json")
    table.write_text("# Table\n\n| model | x |\n|---|---|\n| weak | 1.0 |\n")
    plot.write_bytes(b"png")
    stats.write_text("## Stats\n- trees: 3\n")
    metrics.write_text('{"b": 1, "a": 0.5}')
    out = tmp_path / "results/README.md"
    page = report.results_page([str(table), str(plot), str(stats), str(metrics)], str(out))
    assert f"## [{table}](eval/table.md)" in page and "## Table" in page and "| weak | 1.0 |" in page
    assert "![a](plots/a.png)" in page and "### Stats" in page and "](../data/stats.md)" in page
    assert '"a": 0.5' in page and page.index('"a"') < page.index('"b"')
    with pytest.raises(ValueError, match="notes.txt: a results page is .md, .png or .json"):
        report.results_page([str(tmp_path / "notes.txt")], str(out))
