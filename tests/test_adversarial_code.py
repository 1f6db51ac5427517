"""Code completions that try to pass hidden tests without solving the task: each must be judged wrong.

Under RL with verifier rewards a policy searches for such holes; each case here passed the old
verifier (candidate + tests appended, pass = exit status 0) or is a variant of one that did.
The honest references keep passing: every synthetic reference (test_tasks.py), HumanEval's 164
canonical solutions and the MBPP fixture's (below).
"""
import pytest

from reasonforge.sandbox import Sandbox
from reasonforge.tasks import harness, loaders
from reasonforge.tasks.verify import verify_batch

# A synthetic task as tasks/code.py writes them: f(x) adds 3; the tests hold the expected values.
ROW = dict(task="code", form="code", tests="assert f(1) == 4, 'f(1) should be 4'\nassert f(5) == 8, 'f(5) should be 8'\n")
WRONG = "def f(x):\n    return 0\n"

ATTACKS = {
    "exit before the tests": WRONG + "import sys\nsys.exit(0)\n",
    "raise SystemExit": WRONG + "raise SystemExit\n",
    "os._exit at import": WRONG + "import os\nos._exit(0)\n",
    "os._exit inside f": "import os\ndef f(x):\n    os._exit(0)\n",
    "SystemExit inside f": "def f(x):\n    raise SystemExit(0)\n",
    "SIGKILL itself": "import os, signal\ndef f(x):\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    "always-equal object": "class A:\n    def __eq__(self, o): return True\n    __hash__ = object.__hash__\ndef f(x):\n    return A()\n",
    "int subclass equal to all": "class I(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\ndef f(x):\n    return I(0)\n",
    "__class__ spoofed as int": "class S:\n    __class__ = int\n    def __eq__(self, o): return True\n    __hash__ = object.__hash__\ndef f(x):\n    return S()\n",
    "list of always-equal": "class A:\n    def __eq__(self, o): return True\n    __hash__ = object.__hash__\ndef f(x):\n    return [A()]\n",
    "MagicMock": "from unittest import mock\nf = mock.MagicMock()\nf.return_value.__eq__ = lambda *a: True\n",
    "printed pass marker": WRONG + "print('all tests passed')\nprint('OK')\nimport os\nos._exit(0)\n",
    "builtins patched": WRONG + "import builtins\nbuiltins.repr = lambda v: '4'\nbuiltins.type = lambda v: int\n"
                        "builtins.AssertionError = type('N', (Exception,), {})\n",
    "stdout replaced": WRONG + "import sys, io\nsys.stdout = io.StringIO()\n",
    "atexit and excepthook": WRONG + "import atexit, sys\natexit.register(lambda: print('all tests passed'))\n"
                             "sys.excepthook = lambda *a: None\n",
    "tests swallowed by an open string": "def f(x):\n    return 0\n_ = '''\n",
    "tests swallowed by a guard": "def f(x):\n    return 0\nif __name__ == '__never__':\n",
    "fork and leave": WRONG + "import os\nif os.fork():\n    os._exit(0)\n",
    # Finds the nonce in the harness's frame and prints a line that carries it: the values it can
    # report are its own (the expected ones never enter the sandbox), so the judge still says no.
    "nonce read from the harness frame": WRONG + "import sys, os\nframe = sys._getframe()\n"
                                         "while frame and 'nonce' not in frame.f_locals:\n    frame = frame.f_back\n"
                                         "os.write(1, (chr(10) + frame.f_locals['nonce'] + ' [0, 0]' + chr(10)).encode())\n"
                                         "os._exit(0)\n",
    "nonce with too few values": WRONG + "import sys, os\nframe = sys._getframe()\n"
                                 "while frame and 'nonce' not in frame.f_locals:\n    frame = frame.f_back\n"
                                 "os.write(1, (chr(10) + frame.f_locals['nonce'] + ' []' + chr(10)).encode())\n"
                                 "os._exit(0)\n",
}


@pytest.fixture(scope="module")
def sb():
    with Sandbox(workers=2, timeout=5) as s:
        yield s


def fenced(code):
    return f"```python\n{code}```"


def test_the_honest_solution_passes(sb):
    (v,) = verify_batch([ROW], [fenced("def f(x):\n    return x + 3\n")], sb)
    assert v.correct and v.output == "all tests passed"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_judged_wrong(sb, name):
    (v,) = verify_batch([ROW], [fenced(ATTACKS[name])], sb)
    assert not v.correct and v.status != "correct", (name, v)


def test_the_old_verifier_passed_the_first_attacks(sb):
    """So the cases above are real holes: appended tests and exit status 0 let them through."""
    old = [sb.run(ATTACKS[n] + "\n\n" + ROW["tests"]) for n in ("exit before the tests", "always-equal object",
                                                               "int subclass equal to all")]
    assert [r["status"] for r in old] == ["ok", "ok", "ok"]


def test_expected_values_never_enter_the_sandbox():
    program, nonce, checks = harness.program("def f(x):\n    return x + 3\n", ROW["tests"])
    assert [c.expected for c in checks] == [4, 8] and "should be" not in program
    assert "== 4" not in program and "== 8" not in program and nonce in program


def test_a_failing_value_names_the_test(sb):
    (v,) = verify_batch([ROW], [fenced("def f(x):\n    return x + 2 if x == 5 else x + 3\n")], sb)
    assert not v.correct and v.output == "AssertionError: f(5) should be 8"


HUMANEVAL_ATTACKS = {
    "exit before check": "    import sys\n    sys.exit(0)\n",
    "always-true answer": "    class T:\n        def __eq__(self, o): return True\n        def __bool__(self): return True\n"
                          "        __hash__ = object.__hash__\n    return T()\n",
    "bool subclass": "    class B(int):\n        def __eq__(self, o): return True\n        __hash__ = int.__hash__\n    return B(1)\n",
    "exit inside the candidate": "    import os\n    os._exit(0)\n",
}


@pytest.fixture(scope="module")
def humaneval():
    return loaders.load_external("he", {"loader": "humaneval", "path": None, "limit": None}).to_dict("records")


def test_humaneval_canonical_solutions_all_pass(sb, humaneval):
    verdicts = verify_batch(humaneval, [r["prompt"] + r["solution"] for r in humaneval], sb, timeout=10)
    assert [r["id"] for r, v in zip(humaneval, verdicts) if not v.correct] == []


@pytest.mark.parametrize("name", sorted(HUMANEVAL_ATTACKS))
def test_humaneval_attack_is_judged_wrong(sb, humaneval, name):
    row = humaneval[0]  # has_close_elements: the tests compare with True and False
    (v,) = verify_batch([row], [row["prompt"] + HUMANEVAL_ATTACKS[name]], sb)
    assert not v.correct, (name, v)


def test_mbpp_references_pass_and_attacks_fail(sb, fixtures):
    rows = loaders.load_external("mb", {"loader": "mbpp", "path": str(fixtures / "mbpp.jsonl")}).to_dict("records")
    assert all(v.correct for v in verify_batch(rows, [r["solution"] for r in rows], sb))
    eq = "class A:\n    def __eq__(self, o): return True\n    __hash__ = object.__hash__\n"
    cheats = [fenced(f"{eq}def square(n):\n    return A()\ndef rev(s):\n    return A()\n"),
              fenced("import sys\ndef square(n): return 0\ndef rev(s): return ''\nsys.exit(0)\n")]
    assert not any(v.correct for row in rows for v in verify_batch([row] * 2, cheats, sb))
