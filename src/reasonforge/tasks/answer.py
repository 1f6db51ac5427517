"""One unambiguous final answer per completion.

A completion's answer is the text after `Answer:` on its line. Before, the first number (math) or
word (logic) after it counted, so `Answer: 4 or 5` was right when 4 was, and `Answer: T x` when T
was: a hedge, or trailing junk, read as an answer. Now every `Answer:` line of a completion must
hold exactly one answer in its family's form (`single`), and all of them the same one; otherwise
the completion is "ambiguous", which is never correct.
"""
from __future__ import annotations

import re
from typing import Callable

ANSWER_LINE = re.compile(r"Answer:([^\n]*)")


def final_answer(completion: str, single: Callable[[str], str | None]) -> tuple[str | None, str]:
    """(the answer, "ok"), or (None, "no_answer" | "ambiguous")."""
    found = [single(m.group(1)) for m in ANSWER_LINE.finditer(completion)]
    if not found:
        return None, "no_answer"
    if None in found or len(set(found)) > 1:
        return None, "ambiguous"
    return found[0], "ok"
