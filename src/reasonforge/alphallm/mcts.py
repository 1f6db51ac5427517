"""eta-MCTS (AlphaLLM, arXiv 2404.12253): tree search over solution steps, batched across problems.

    result = search(problems, policy, critics, MCTSConfig(iterations=8), rollout=weak_generator)
    result.answers[i]        # the completion the search answers problem i with
    result.tokens            # every token read or generated, by whom

- An option is one step: the policy's text up to a line break (`\\n`). A path ends at an
  `Answer:` line, a closing code fence, a blank line, EOS or `max_depth`.
- Selection: UCT, Q(child) + c * sqrt(ln N(node) / N(child)); unvisited children first.
- Adaptive branching: a node may hold n = max(c_min(d), min(floor(alpha * I) + 1, c_max(d)))
  options, I = max over its children of |v(child) - v(node)|. A node first gets c_min(d); once its
  children are valued, I may raise n and a later selection that stops there samples the rest
  (progressive widening). `adaptive=False` is the fixed width c_max(d) of vanilla MCTS.
- State merge: a new option within `merge_distance` edits (Levenshtein) of a sibling, or of an
  option sampled beside it, is dropped; it still counts against the node's width (tiny models at
  temperature 1 repeat a step often, and a repeated sibling only splits the same visits).
- Evaluation of a new node: a weighted mean of the value critic, the PRM and the ORM's mean score
  of fast rollouts (a smaller model completes the path); a finished path is scored by the ORM itself.
  A weight of 0 leaves that critic out (and spares its compute): the ablations are weights.
- Backup: every node on the path gains a visit and the leaf's value (Q is the mean).
- The answer: the most-visited path (`answer="visits"`), completed greedily by the policy when it
  stops short of an end, or the finished node of highest Q (`answer="value"`).

Every search step sends all trees' expansions to the policy as one batch, then every new node to
each critic and to the rollout model as one batch each. The policy, the rollout model and the
critics count the tokens they read and generate; `Tokens` reports the difference a search made.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from ..models.generate import SamplingConfig
from .config import MCTSConfig

STEP_END = "\n"
SOLUTION_END = ["\n\n"]  # the corpus separates problems with a blank line


@dataclass
class Node:
    step: str                            # this node's option ("" at the root)
    path: str                            # every step from the root, this one included
    depth: int
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)
    finished: bool = False
    value: float | None = None           # the critics' evaluation of this node
    orm: float | None = None             # the ORM's score of a finished path
    visits: int = 0
    total: float = 0.0
    sampled: int = 0                     # options drawn here (merged ones included)

    @property
    def q(self) -> float:
        return self.total / self.visits if self.visits else 0.0

    def importance(self) -> float:
        valued = [c.value for c in self.children if c.value is not None]
        return max((abs(v - self.value) for v in valued), default=0.0) if self.value is not None else 0.0

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Tokens:
    policy_read: int = 0
    policy_generated: int = 0
    rollout_read: int = 0
    rollout_generated: int = 0
    critic_read: int = 0

    @property
    def total(self) -> int:
        return self.policy_read + self.policy_generated + self.rollout_read + self.rollout_generated + self.critic_read


@dataclass
class SearchResult:
    answers: list[str]                   # per problem: the completion the search answers with
    best_leaves: list[str | None]        # per problem: the finished path of highest evaluation (self-improvement)
    best_orm: list[float | None]         # its ORM score
    roots: list[Node]
    tokens: Tokens
    merged: int                          # options dropped by state merge
    seconds: dict = field(default_factory=dict)   # wall time by phase: select, expand, value, prm, rollout, orm, backup, answer
    nodes: int = 0                       # nodes created (the roots included)


def ends_solution(step: str, finish: str) -> bool:
    line = step.strip()
    return finish == "eos" or not line or line.startswith("Answer:") or line == "```"


def width(node: Node, cfg: MCTSConfig) -> int:
    """How many options `node` may hold (eta-MCTS's adaptive branching)."""
    c_max = cfg.at_depth(cfg.c_max, node.depth)
    if not cfg.adaptive:
        return c_max
    c_min = cfg.at_depth(cfg.c_min, node.depth)
    return max(c_min, min(math.floor(cfg.alpha * node.importance()) + 1, c_max))


def uct(child: Node, parent: Node, c: float) -> float:
    if child.visits == 0:
        return math.inf
    return child.q + c * math.sqrt(math.log(max(parent.visits, 1)) / child.visits)


def select(root: Node, cfg: MCTSConfig) -> tuple[Node, int]:
    """(node, options to sample there): descend by UCT until a node with room for more options, a
    leaf to expand, or a finished leaf (0 options: it is re-valued by backup only)."""
    node = root
    while True:
        if node.finished:
            return node, 0
        room = width(node, cfg) - node.sampled
        if room > 0 and node.depth < cfg.max_depth:
            return node, room
        if not node.children:
            node.finished = True  # at max_depth, or every option merged away: nowhere further
            return node, 0
        node = max(node.children, key=lambda ch: uct(ch, node, cfg.c_uct))


def merge(options: list[tuple[str, str]], siblings: list[str], distance: int | None) -> tuple[list[tuple[str, str]], int]:
    """Options (step, finish) that differ from every sibling and every earlier option by more than
    `distance` edits; the number dropped."""
    if distance is None:
        return options, 0
    kept, seen = [], list(siblings)
    for step, finish in options:
        if any(Levenshtein.distance(step, other, score_cutoff=distance + 1) <= distance for other in seen):
            continue
        kept.append((step, finish))
        seen.append(step)
    return kept, len(options) - len(kept)


class _Counter:
    """Tokens a set of generators and critics read and generated since it was made."""

    def __init__(self, policy, rollout, critics: dict):
        self.policy, self.rollout = policy, rollout if rollout is not policy else None
        self.critics = [c for c in dict.fromkeys(critics.values()) if c is not None]
        self.start = self._now()

    def _now(self) -> Tokens:
        gen = lambda g: (g.tokens_read, g.tokens_generated) if g is not None else (0, 0)  # noqa: E731
        return Tokens(*gen(self.policy), *gen(self.rollout), sum(c.tokens_read for c in self.critics))

    def spent(self) -> Tokens:
        now, start = self._now(), self.start
        return Tokens(**{k: getattr(now, k) - getattr(start, k) for k in vars(now)})


class Clock(dict):
    """Seconds spent per phase: `with clock("expand"): ...`."""

    @contextmanager
    def __call__(self, phase: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self[phase] = self.get(phase, 0.0) + time.perf_counter() - start


def evaluate(nodes: list[tuple[str, Node]], critics: dict, rollout, cfg: MCTSConfig, seed: int, clock: Clock | None = None) -> None:
    """Value each (prompt, node): the weighted mean of the critics that have weight. One batch per
    critic and one rollout batch for every node of the step."""
    if not nodes:
        return
    clock = clock if clock is not None else Clock()
    w = {k: cfg.weights.get(k, 0.0) for k in ("value", "prm", "orm")}
    prompts, paths = [p for p, _ in nodes], [n.path for _, n in nodes]
    parts: dict[str, list[float]] = {}
    for kind in ("value", "prm"):
        if w[kind] > 0:
            with clock(kind):
                parts[kind] = critics[kind].score(prompts, paths)
    orm = critics.get("orm")
    if orm is not None:
        # a finished path is read by the ORM as it is (self-improvement keeps it by this score);
        # an open one is completed by fast rollouts when the ORM has weight
        done = [i for i, (_, n) in enumerate(nodes) if n.finished]
        with clock("orm"):
            for i, s in zip(done, orm.score([prompts[i] for i in done], [paths[i] for i in done]) if done else []):
                nodes[i][1].orm = s
        scores = {i: [nodes[i][1].orm] for i in done}
        open_ = [i for i, (_, n) in enumerate(nodes) if not n.finished]
        if w["orm"] > 0 and rollout is not None and open_ and cfg.rollouts > 0:
            sampling = SamplingConfig(n=cfg.rollouts, temperature=cfg.temperature, top_p=cfg.top_p,
                                      max_new_tokens=cfg.max_new_tokens, stop=SOLUTION_END, seed=seed,
                                      batch_size=cfg.batch_size)
            with clock("rollout"):
                outs = rollout.generate([prompts[i] for i in open_], sampling, prefixes=[paths[i] for i in open_])
            flat = [(i, paths[i] + c.text) for i, cs in zip(open_, outs) for c in cs]
            with clock("orm"):
                rollout_scores = orm.score([prompts[i] for i, _ in flat], [t for _, t in flat])
            for (i, _), s in zip(flat, rollout_scores):
                scores.setdefault(i, []).append(s)
        if w["orm"] > 0:
            parts["orm"] = [sum(scores[i]) / len(scores[i]) if i in scores else None for i in range(len(nodes))]
    for i, (_, node) in enumerate(nodes):
        terms = [(w[k], parts[k][i]) for k in parts if parts[k][i] is not None]
        node.value = sum(a * b for a, b in terms) / sum(a for a, _ in terms) if terms else 0.0


def backup(node: Node, value: float) -> None:
    while node is not None:
        node.visits += 1
        node.total += value
        node = node.parent


def search(problems: list[str], policy, critics: dict, cfg: MCTSConfig, rollout=None, progress: bool = False) -> SearchResult:
    """eta-MCTS on every prompt in `problems` at once. `policy` and `rollout` are generators
    (models.generate); `critics` maps value / prm / orm to scorers returning numbers in [0, 1]
    (search.critics), any of them None when its weight is 0 (the ORM is still read, when given, to
    score finished paths for self-improvement)."""
    for kind in ("value", "prm", "orm"):
        if cfg.weights.get(kind, 0) > 0 and critics.get(kind) is None:
            raise ValueError(f"mcts: weight {kind} = {cfg.weights[kind]} but no {kind} critic given")
    counter, clock = _Counter(policy, rollout, critics), Clock()
    roots = [Node(step="", path="", depth=0) for _ in problems]
    evaluate([(p, r) for p, r in zip(problems, roots)], critics, rollout, cfg, cfg.seed, clock)
    for r in roots:
        backup(r, r.value)
    merged, nodes = 0, len(roots)
    steps = range(cfg.iterations)
    if progress:
        from tqdm import tqdm

        steps = tqdm(steps, desc="mcts", unit="step")
    for it in steps:
        with clock("select"):
            picks = [(i, *select(root, cfg)) for i, root in enumerate(roots)]
        expand = [(i, node) for i, node, k in picks for _ in range(k)]
        sampling = SamplingConfig(n=1, temperature=cfg.temperature, top_p=cfg.top_p, max_new_tokens=cfg.step_tokens,
                                  stop=[STEP_END], seed=cfg.seed * 1_000_003 + it, batch_size=cfg.batch_size)
        with clock("expand"):
            outs = policy.generate([problems[i] for i, _ in expand], sampling,
                                   prefixes=[node.path for _, node in expand]) if expand else []
        options: dict[int, list[tuple[str, str]]] = {}
        for (i, node), (c,) in zip(expand, outs):
            options.setdefault(id(node), []).append((c.text, c.finish_reason))
        new: list[tuple[str, Node]] = []
        for i, node, k in picks:
            if k == 0:
                continue
            node.sampled += k
            kept, dropped = merge(options[id(node)], [ch.step for ch in node.children], cfg.merge_distance)
            merged += dropped
            for text, finish in kept:
                step = text + (STEP_END if finish == "stop" else "")
                child = Node(step=step, path=node.path + step, depth=node.depth + 1, parent=node,
                             finished=ends_solution(text, finish) or node.depth + 1 >= cfg.max_depth)
                node.children.append(child)
                new.append((problems[i], child))
        nodes += len(new)
        evaluate(new, critics, rollout, cfg, cfg.seed * 1_000_003 + it, clock)
        with clock("backup"):
            for _, child in new:
                backup(child, child.value)
            for i, node, k in picks:  # a finished leaf selected again is backed up with its value
                if k == 0:
                    backup(node, node.value)
    with clock("answer"):
        answers = _answers(problems, roots, policy, cfg)
    best = [_best_leaf(r) for r in roots]
    return SearchResult(answers=answers, best_leaves=[b.path if b else None for b in best],
                        best_orm=[b.orm if b else None for b in best], roots=roots, tokens=counter.spent(), merged=merged,
                        seconds=dict(clock), nodes=nodes)


def _best_leaf(root: Node) -> Node | None:
    done = [n for n in root.walk() if n.finished and n is not root and n.value is not None]
    return max(done, key=lambda n: n.value, default=None)


def _answers(problems: list[str], roots: list[Node], policy, cfg: MCTSConfig) -> list[str]:
    ends: list[Node] = []
    for root in roots:
        node = root
        if cfg.answer == "value":
            done = [n for n in root.walk() if n.finished and n is not root]
            if done:
                ends.append(max(done, key=lambda n: n.q))
                continue
        while node.children:
            node = max(node.children, key=lambda ch: (ch.visits, ch.q))
        ends.append(node)
    short = [i for i, n in enumerate(ends) if not n.finished]
    answers = [n.path for n in ends]
    if short:  # the path stops short of an end: the policy finishes it greedily (counted)
        sampling = SamplingConfig(n=1, temperature=0.0, max_new_tokens=cfg.max_new_tokens, stop=SOLUTION_END,
                                  batch_size=cfg.batch_size)
        outs = policy.generate([problems[i] for i in short], sampling, prefixes=[ends[i].path for i in short])
        for i, (c,) in zip(short, outs):
            answers[i] = ends[i].path + c.text
    return answers

