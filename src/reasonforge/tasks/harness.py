"""The program that runs a code candidate against hidden tests, built so that a pass cannot be faked.

A verifier is a reward, and a policy searches for its holes. Appending the tests to the candidate
and trusting exit status 0 was beaten by a candidate that ends the program before the tests run
(`sys.exit(0)`, `os._exit(0)`, `raise SystemExit`), by one whose `f` returns an object whose
`__eq__` always says True (also as an `int` subclass), and by text that swallows the appended tests
(an open triple quote, `if False:`). Here:

- The candidate is compiled and run on its own (its source is a string literal of the harness, so
  nothing it writes can change how the tests parse), in a namespace of its own.
- The tests run in another namespace, with a copy of the builtins taken before the candidate ran,
  and see every function the candidate defined through a guard: a value that crosses from the
  candidate to the tests must be plain (exactly bool, int, float, complex, str, bytes, None, or a
  list, tuple, set, frozenset or dict of them: `type(v) is int`, so no subclass, no `__class__`
  spoof); anything else fails the run.
- A top-level `assert <expr> == <literal>` (every synthetic code test, nearly every MBPP one) is
  not run as an assertion: the harness records the plain value of `<expr>` and the judge compares
  it with the literal outside the sandbox. The expected values never enter the sandbox, so even a
  candidate that found the harness's secrets could not report the right values without computing
  them.
- After the last test statement the harness writes one line: a nonce fresh for each run, then the
  recorded values. A pass needs exit status 0, that line exactly once, and every recorded value
  equal to its literal. A program that ended early never wrote it; a candidate cannot print it
  because it does not know the nonce.

What this does not stop: a candidate that reads the nonce out of the harness's own frames (frame
introspection, `gc`, tracing) can fake the tests that run as assertions inside the sandbox (those
that are not a top-level `<expr> == <literal>`, e.g. HumanEval's `check(candidate)` functions).
"""
from __future__ import annotations

import ast
import secrets
from dataclasses import dataclass

# The harness, called with the candidate, the tests and the nonce as string literals. Everything it
# uses is bound before the candidate runs, in a function whose locals the candidate cannot rebind.
HARNESS = '''\
def __harness(candidate, tests, nonce):
    import builtins, os, sys
    write, flush_out, exit_, type_, repr_, callable_ = os.write, sys.stdout.flush, os._exit, type, repr, callable
    dict_, list_, tuple_, set_, frozenset_, compile_, exec_ = dict, list, tuple, set, frozenset, compile, exec
    pristine = dict_(vars(builtins))
    scalars = (bool, int, float, complex, str, bytes, type(None))

    def plain(value, depth=0):
        kind = type_(value)
        if kind in scalars:
            return value
        if depth < 64 and kind in (list_, tuple_, set_, frozenset_):
            for item in value:
                plain(item, depth + 1)
            return value
        if depth < 64 and kind is dict_:
            for key, item in value.items():
                plain(key, depth + 1)
                plain(item, depth + 1)
            return value
        raise TypeError("the candidate returned a " + kind.__name__ + ", not a plain value")

    def guard(fn):
        def guarded(*args, **kwargs):
            return plain(fn(*args, **kwargs))
        return guarded

    recorded = []

    def record(value):
        recorded.append(repr_(plain(value)))

    own = {"__name__": "__main__", "__builtins__": dict_(pristine)}
    exec_(compile_(candidate, "<candidate>", "exec"), own)
    scope = {k: guard(v) if callable_(v) and not k.startswith("__") else v for k, v in own.items()}
    scope.update(__name__="__main__", __builtins__=dict_(pristine), __record=record)
    exec_(compile_(tests, "<tests>", "exec"), scope)
    flush_out()
    write(1, ("\\n" + nonce + " [" + ", ".join(recorded) + "]\\n").encode())
    exit_(0)
'''


@dataclass
class Check:
    """One recorded top-level test: `expr == expected`, judged outside the sandbox."""
    expr: str
    expected: object
    message: str          # what a failure shows (the assertion's own message when it has one)


def split_tests(tests: str) -> tuple[str, list[Check]]:
    """The tests to run in the sandbox, with each top-level `assert <expr> == <literal>` replaced by
    recording `<expr>`, and the checks that the judge makes of the recorded values, in order."""
    tree = ast.parse(tests)
    checks, body = [], []
    for node in tree.body:
        check = _value_check(node)
        if check is None:
            body.append(node)
            continue
        checks.append(check)
        call = ast.Call(ast.Name("__record", ast.Load()), [ast.parse(check.expr, mode="eval").body], [])
        body.append(ast.copy_location(ast.Expr(call), node))
    tree.body = body
    return ast.unparse(ast.fix_missing_locations(tree)), checks


def _value_check(node: ast.stmt) -> Check | None:
    if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare)
            and len(node.test.ops) == 1 and isinstance(node.test.ops[0], ast.Eq)):
        return None
    left, right = node.test.left, node.test.comparators[0]
    for expr, literal in ((left, right), (right, left)):
        try:
            expected = ast.literal_eval(literal)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        source = ast.unparse(expr)
        try:
            message = str(ast.literal_eval(node.msg)) if node.msg is not None else f"{source} == {ast.unparse(literal)}"
        except ValueError:  # a message computed at run time: show the comparison instead
            message = f"{source} == {ast.unparse(literal)}"
        return Check(source, expected, message)
    return None


def program(candidate: str, tests: str) -> tuple[str, str, list[Check]]:
    """(the harness program, its nonce, the checks the judge makes). Tests that do not parse are
    the task's fault, not the candidate's: a SyntaxError here is raised to the caller."""
    body, checks = split_tests(tests)
    nonce = secrets.token_hex(16)
    return f"{HARNESS}\n\n__harness({candidate!r}, {body!r}, {nonce!r})\n", nonce, checks


def judge(stdout: str, nonce: str, checks: list[Check]) -> tuple[bool, str]:
    """(passed, what to show) for what a run of `program`'s harness that exited with status 0
    printed (a run that failed or was stopped is not a pass whatever it printed)."""
    lines = [line for line in stdout.splitlines() if line.startswith(nonce + " ")]
    if len(lines) != 1:
        return False, "the program ended before the tests finished"
    try:
        values = ast.literal_eval(lines[0][len(nonce) + 1:])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, "a tested value could not be read back"
    if len(values) != len(checks):
        return False, "the program ended before the tests finished"
    for value, check in zip(values, checks):
        if value != check.expected:  # both plain (literal_eval made them): the test's own `==`
            return False, f"AssertionError: {check.message}"
    return True, "all tests passed"
