import json
import subprocess


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
