import importlib.util
import json
import os
import subprocess

import pytest

from conftest import instructions
from reasonforge import io, tables


def test_sandbox_run_prints_one_json_object_per_file(tmp_path, bin_dir):
    ok, loop, bad = tmp_path / "ok.py", tmp_path / "loop.py", tmp_path / "bad.py"
    ok.write_text("print(sum(range(10)))")
    loop.write_text("while True: pass")
    bad.write_text("import sys; sys.exit(4)")
    r = subprocess.run([str(bin_dir / "reasonforge"), "sandbox", "run", str(ok), str(loop), str(bad),
                        "--timeout", "1", "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    results = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["file"] for x in results] == [str(ok), str(loop), str(bad)]
    for x in results:
        assert {"status", "returncode", "signal", "stdout", "stderr", "duration_s", "protections"} <= set(x)
    assert (results[0]["status"], results[0]["stdout"]) == ("ok", "45\n")
    assert results[1]["status"] == "timeout" and results[1]["signal"] == 9
    assert results[2]["status"] == "error" and results[2]["returncode"] == 4
    assert "seccomp" in results[0]["protections"] or "no-new-privs" in results[0]["protections"]


def test_sandbox_run_missing_file(tmp_path, bin_dir):
    r = subprocess.run([str(bin_dir / "reasonforge"), "sandbox", "run", str(tmp_path / "nope.py")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "nope.py" in r.stderr


def test_show(tmp_path, capsys):
    from reasonforge.cli import main

    (tmp_path / "t.md").write_text("| a |\n")
    assert main(["show", str(tmp_path / "t.md")]) == 0 and "| a |" in capsys.readouterr().out
    assert main(["show", str(tmp_path / "missing.md")]) == 1


def rf(bin_dir, *args, **kw):
    return subprocess.run([str(bin_dir / "reasonforge"), *map(str, args)], capture_output=True, text=True, timeout=120, **kw)


def test_sandbox_run_unreadable_file_gets_its_own_result(tmp_path, bin_dir):
    binary, good = tmp_path / "binary.bin", tmp_path / "good.py"
    binary.write_bytes(bytes(range(256)))
    good.write_text("print('ran')")
    r = rf(bin_dir, "sandbox", "run", binary, good, tmp_path / "missing.py")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{binary}: not UTF-8 text" in r.stderr and "missing.py: No such file" in r.stderr
    results = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["status"] for x in results] == ["unreadable", "ok", "unreadable"]
    assert results[1]["stdout"] == "ran\n"


def test_sandbox_run_rejects_bad_settings(tmp_path, bin_dir):
    good = tmp_path / "good.py"
    good.write_text("print(1)")
    for flag, value, says in (("--memory-mb", 1, "must be >= 64"), ("--timeout", 0, "must be > 0"),
                              ("--timeout", -1, "must be > 0"), ("--workers", 0, "must be >= 1"),
                              ("--timeout", "soon", "is not a number")):
        r = rf(bin_dir, "sandbox", "run", good, flag, value)
        assert r.returncode == 2 and flag in r.stderr and says in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_sandbox_run_pool_error_is_one_line(tmp_path, bin_dir):
    good = tmp_path / "good.py"
    good.write_text("print(1)")
    r = rf(bin_dir, "sandbox", "run", good, env={**os.environ, "REASONFORGE_SANDBOX_ACCEPT_MISSING": "firewall"})
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "unknown protection(s) firewall" in r.stderr


def test_show_directory_plot_and_closed_pipe(tmp_path, bin_dir):
    import pandas as pd

    (tmp_path / "plots").mkdir()
    png = tmp_path / "plots" / "accuracy.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    r = rf(bin_dir, "show", tmp_path)
    assert r.returncode == 0 and "plots/" in r.stdout and "directory of 1 entries" in r.stdout
    r = rf(bin_dir, "show", png)
    assert r.returncode == 0 and str(png) in r.stdout and "PNG image" in r.stdout and "1,032 bytes" in r.stdout
    table = tmp_path / "t.parquet"
    pd.DataFrame({"x": range(5000)}).to_parquet(table)
    r = subprocess.run(f"{bin_dir / 'reasonforge'} show {table} --rows 5000 | head -2", shell=True,
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.count("\n") == 2 and r.stderr == ""
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet")
    r = rf(bin_dir, "show", broken)
    assert r.returncode == 1 and "Traceback" not in r.stderr and f"{broken}: cannot read as parquet" in r.stderr


def test_params_bad_files_name_file_and_line(tmp_path, bin_dir):
    broken = tmp_path / "broken.yaml"
    broken.write_text("tasks:\n  math: {n_train: 200\n  code: [1,\n")
    r = rf(bin_dir, "params", broken)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"{broken}:3:") and "invalid YAML" in r.stderr
    r = rf(bin_dir, "params", "/nonexistent.yaml")
    assert r.returncode == 1 and r.stderr.strip() == "/nonexistent.yaml: No such file or directory"
    r = rf(bin_dir, "params", "--params", broken)
    assert r.returncode == 1 and str(broken) in r.stderr


def test_pull_without_a_remote_says_so(tmp_path, bin_dir):
    """It printed "Everything is up to date." and then an ERROR listing every file."""
    def run(*args):
        return subprocess.run([str(bin_dir / a) if i == 0 else a for i, a in enumerate(args)], cwd=tmp_path,
                              capture_output=True, text=True)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    run("dvc", "init", "-q")
    r = run("reasonforge", "pull")
    assert r.returncode == 2 and "no DVC remote to pull from" in r.stderr and "dvc remote add -d" in r.stderr
    run("dvc", "remote", "add", "-d", "store", "ssh://host/path")
    r = run("reasonforge", "pull")
    if importlib.util.find_spec("dvc_ssh") is None:
        assert r.returncode == 2 and "dvc-ssh package: pip install -e '.[ssh]'" in r.stderr
    r = run("reasonforge", "pull", "-r", "nope")
    assert r.returncode == 2 and "no DVC remote named 'nope' (remotes: store)" in r.stderr


def test_schema_for_paths():
    from reasonforge.alphallm.tables import AlphaSearch
    from reasonforge.cli import SCHEMA_FOR_PATH, schema_for
    from reasonforge.eurus.tables import BonLadder, BonScores
    from reasonforge.w2s.tables import W2SLabels

    assert schema_for("data/tasks/math/ood.parquet") is tables.Instructions
    assert schema_for("/abs/results/eval/seed0/weak/code.parquet") is tables.EvalSamples
    assert schema_for("data/w2s/seed2/relabels/iter1.parquet") is W2SLabels
    assert schema_for("data/alphallm/seed3/search/round1.parquet") is AlphaSearch
    # a reward model's scores sit beside its picks: the more specific pattern wins
    assert schema_for("results/eurus/seed1/bon/rm-bt/scores.parquet") is BonScores
    assert schema_for("results/eurus/seed1/bon/rm-bt/math.parquet") is tables.EvalSamples
    assert schema_for("results/eurus/seed1/bon_ladder.parquet") is BonLadder
    for pattern in SCHEMA_FOR_PATH:  # every name resolves to a pandera model
        assert issubclass(schema_for(pattern.replace("*", "x")), tables.Strict)
    with pytest.raises(KeyError, match="no schema"):
        schema_for("notes.txt")


def test_cli_validate(tmp_path, capsys):
    from reasonforge.cli import main

    good = tmp_path / "data/tasks/math/test.parquet"
    io.write_table(instructions(), good, tables.Instructions)
    bad = tmp_path / "data/tasks/logic/test.parquet"
    bad.parent.mkdir(parents=True)
    instructions(difficulty=[-1, 2]).to_parquet(bad)
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "difficulty" in err


def test_cli_validate_resolves_paths_from_anywhere(tmp_path, monkeypatch, capsys):
    from reasonforge.cli import main

    good = tmp_path / "data/tasks/math/test.parquet"
    io.write_table(instructions(), good, tables.Instructions)
    monkeypatch.chdir(good.parent)
    assert main(["validate", "test.parquet"]) == 0
    monkeypatch.chdir(tmp_path / "data")
    assert main(["validate", "tasks/math/test.parquet", "../data/tasks/math/test.parquet", str(good)]) == 0
    assert capsys.readouterr().out.count(": ok (2 rows)") == 4


def test_readme_claims_section_is_written_from_the_claims_tables(tmp_path, capsys):
    """The README's claims section is the claims target's tables, never typed: --check fails when a
    table changed, `reasonforge readme` rewrites the section alone."""
    from reasonforge.cli import CLAIMS_BEGIN, CLAIMS_END, main

    (tmp_path / "results/claims").mkdir(parents=True)
    (tmp_path / "results/claims/m.md").write_text("# M: claims\n\nnote\n\n| claim | verdict |\n|---|---|\n| **M1** x | reproduced |\n"
                                                  "\n## Ladders\n\n| claim | rung | value |\n|---|---|---|\n| M1 | ceiling | 9 |\n")
    (tmp_path / "README.md").write_text(f"intro\n\n{CLAIMS_BEGIN}\nold\n{CLAIMS_END}\n\nlayout\n")
    assert main(["readme", "--check", "--root", str(tmp_path)]) == 1
    assert main(["readme", "--root", str(tmp_path)]) == 0
    text = (tmp_path / "README.md").read_text()
    assert "| **M1** x | reproduced |" in text and "old" not in text and text.startswith("intro") and text.endswith("layout\n")
    assert "**M: claims** ([results/claims/m.md](results/claims/m.md))" in text and "note" not in text
    assert "| M1 | ceiling | 9 |" not in text  # the ladders stay in the file: one table per method here
    assert main(["readme", "--check", "--root", str(tmp_path)]) == 0
    (tmp_path / "results/claims/m.md").write_text("# M: claims\n\n| claim | verdict |\n|---|---|\n| **M1** x | not reproduced |\n")
    assert main(["readme", "--check", "--root", str(tmp_path)]) == 1
    assert "run `reasonforge readme`" in capsys.readouterr().err


def test_the_readme_claims_section_is_current(root):
    from reasonforge.cli import main

    assert main(["readme", "--check", "--root", str(root)]) == 0
