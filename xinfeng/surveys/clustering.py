"""Group free-text answers into clusters of similar needs. Pure computation, no database.

Method (deterministic, documented in docs/surveys.md):

1. **Tokens**: each answer is segmented with jieba in search mode (a long word also yields
   the shorter dictionary words inside it, so "独居老人" still shares "老人"; no HMM, so the
   result is the dictionary's — shipped in the package plus ``data/userdict.txt`` — and does
   not drift), then punctuation, digits and stop words are dropped and runs of single
   characters are joined (a word the dictionary does not know still counts). Identical token lists are counted once with their number of answers.
2. **Vectors**: TF-IDF over those tokens (sublinear tf ``1 + ln tf``, smoothed idf
   ``ln((1 + n) / (1 + df)) + 1``, n counting answers), each row scaled to length 1, so the
   dot product of two rows is their cosine similarity.
3. **Leaders**: distinct answers are visited from the most frequent down (ties by text);
   an answer not yet placed becomes a leader and takes every unplaced answer whose cosine
   with it is at least ``threshold`` (found through the term columns, so each leader costs
   only the answers sharing a word with it).
4. **Merge**: clusters whose centroids (answer-weighted mean of their rows) have a cosine of
   at least ``merge_threshold`` are joined (union-find, larger cluster first), which joins
   "老年人助餐" and "给老人送餐" when enough answers say both.

Answers left with no token go into no cluster (``unclustered``). Clusters come back largest
first; the label is the cluster's two or three heaviest centroid terms.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse

DEFAULT_THRESHOLD = 0.5
DEFAULT_MERGE_THRESHOLD = 0.8
STOPWORDS_FILE = Path(__file__).resolve().parent / "data" / "stopwords.txt"
USERDICT_FILE = Path(__file__).resolve().parent / "data" / "userdict.txt"

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_tokenizer = None
_tokenizer_lock = threading.Lock()


def _jieba():
    """One jieba tokenizer per process, its dictionary loaded on first use (~0.5 s)."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            tok.load_userdict(str(USERDICT_FILE))
            _tokenizer = tok
    return _tokenizer


@cache
def default_stop_words() -> frozenset[str]:
    """The shipped list (``data/stopwords.txt``); staff edits live in ``StopWord`` rows."""
    words = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


# jieba cuts each run of these characters on its own (its ``re_han_default``); the rest is
# punctuation and space, which never yields a token. So a text's tokens are its runs' tokens
# in order, and a run said in many answers ("希望给老人送餐") is segmented once.
_RUNS = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def tokenize(text: str, stop_words: Collection[str] = (), cache: dict | None = None) -> list[str]:
    """The words of ``text`` that count for similarity, in order.

    A run of single characters the dictionary did not join (a word it does not know, such as
    a new place name) is joined into one token, so it still counts. ``cache`` (run → tokens)
    lets a caller segment each distinct run once.
    """
    out: list[str] = []
    for run in _RUNS.findall(text or ""):
        if cache is None:
            out.extend(_tokenize_run(run, stop_words))
            continue
        tokens = cache.get(run)
        if tokens is None:
            tokens = cache[run] = _tokenize_run(run, stop_words)
        out.extend(tokens)
    return out


def _tokenize_run(text: str, stop_words: Collection[str]) -> list[str]:
    out = []
    run = ""

    def flush():
        nonlocal run
        if len(run) >= 2 and run not in stop_words:
            out.append(run)
        run = ""

    for word in _jieba().lcut_for_search(text, HMM=False):
        word = word.strip().lower()
        if not word or not _KEEP.search(word) or word in stop_words:
            flush()
            continue
        if len(word) == 1:
            run += word
            continue
        flush()
        out.append(word)
    flush()
    return out


@dataclass
class Cluster:
    """One group: ``members`` index the input texts; ``examples`` are the most typical ones."""

    label: str
    terms: list[str]
    members: list[int]
    examples: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass
class Clustering:
    clusters: list[Cluster]
    unclustered: list[int]


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the lower index (the larger, earlier cluster) stays the root: deterministic
            self.parent[max(ra, rb)] = min(ra, rb)


def _vectors(docs: list[tuple[str, ...]], weights: np.ndarray):
    """TF-IDF rows (CSR, unit length) for distinct token lists and the vocabulary."""
    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for tokens in docs:
        counts: dict[int, int] = {}
        for t in tokens:
            j = vocab.setdefault(t, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        for j in sorted(counts):
            indices.append(j)
            data.append(1.0 + math.log(counts[j]))
        indptr.append(len(indices))
    x = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(docs), max(len(vocab), 1)),
    )
    # document frequency counted over answers (a distinct list said 30 times counts 30)
    present = x.copy()
    present.data[:] = 1.0
    df = np.asarray(present.multiply(weights[:, None]).sum(axis=0)).ravel()
    n = float(weights.sum())
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = x.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sparse.diags(1.0 / norms) @ x
    terms = [None] * len(vocab)
    for t, j in vocab.items():
        terms[j] = t
    return x.tocsr(), terms


def _label_terms(ranked: list[tuple[str, float]]) -> list[str]:
    """Two or three heaviest terms, a term inside a longer one shown only as the longer one
    ("广场" and "广场舞" → "广场舞"); the third only when it weighs half the first."""
    words = [t for t, _ in ranked]
    kept = [(t, w) for t, w in ranked if not any(t != o and t in o for o in words)]
    top = kept[:3]
    if len(top) == 3 and top[2][1] < 0.5 * top[0][1]:
        top = top[:2]
    return [t for t, _ in top]


def cluster_texts(
    texts: Sequence[str],
    *,
    stop_words: Collection[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    merge_threshold: float = DEFAULT_MERGE_THRESHOLD,
    examples: int = 3,
) -> Clustering:
    """Cluster ``texts``; see the module docstring. ``stop_words`` None = the default list."""
    stops = default_stop_words() if stop_words is None else frozenset(stop_words)
    # 1. distinct texts, then distinct token lists
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_text.setdefault((text or "").strip(), []).append(i)
    by_tokens: dict[tuple[str, ...], list[int]] = {}
    unclustered: list[int] = []
    runs: dict[str, list[str]] = {}
    for text, idx in by_text.items():
        tokens = tuple(tokenize(text, stops, runs))
        if not tokens:
            unclustered.extend(idx)
        else:
            by_tokens.setdefault(tokens, []).extend(idx)
    if not by_tokens:
        return Clustering([], sorted(unclustered))
    docs = sorted(by_tokens, key=lambda d: (-len(by_tokens[d]), d))
    weights = np.asarray([len(by_tokens[d]) for d in docs], dtype=np.float64)
    x, terms = _vectors(docs, weights)
    xc = x.tocsc()
    n = len(docs)

    # 3. leaders, most frequent first
    assigned = np.full(n, -1, dtype=np.int64)
    leaders: list[int] = []
    for i in range(n):
        if assigned[i] >= 0:
            continue
        k = len(leaders)
        leaders.append(i)
        lo, hi = x.indptr[i], x.indptr[i + 1]
        cols, vals = x.indices[lo:hi], x.data[lo:hi]
        sims = xc[:, cols] @ vals
        take = (sims >= threshold) & (assigned < 0)
        assigned[take] = k
        assigned[i] = k

    # 4. merge clusters with similar centroids
    k_count = len(leaders)
    member_matrix = sparse.csr_matrix(
        (weights, (assigned, np.arange(n))), shape=(k_count, n)
    )  # cluster x doc, weighted by answers
    centroids = member_matrix @ x
    cnorm = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel())
    cnorm[cnorm == 0] = 1.0
    centroids = (sparse.diags(1.0 / cnorm) @ centroids).tocsr()
    uf = _UnionFind(k_count)
    sim = (centroids @ centroids.T).tocoo()
    pairs = sorted(
        (int(a), int(b))
        for a, b, v in zip(sim.row, sim.col, sim.data, strict=True)
        if a < b and v >= merge_threshold
    )
    for a, b in pairs:
        uf.union(a, b)
    roots = np.asarray([uf.find(k) for k in range(k_count)], dtype=np.int64)
    final = roots[assigned]

    # collect, label, pick examples
    groups: dict[int, list[int]] = {}
    for d in range(n):
        groups.setdefault(int(final[d]), []).append(d)
    out: list[Cluster] = []
    for doc_ids in groups.values():
        w = weights[doc_ids]
        rows = x[doc_ids]
        centroid = np.asarray(rows.multiply(w[:, None]).sum(axis=0)).ravel()
        order = np.lexsort((np.arange(len(centroid)), -centroid))
        top = _label_terms([(terms[j], centroid[j]) for j in order[:8] if centroid[j] > 0])
        members = sorted(i for d in doc_ids for i in by_tokens[docs[d]])
        # typical answers: distinct docs closest to the centroid, then the most said
        closeness = rows @ centroid
        ranked = sorted(range(len(doc_ids)), key=lambda r: (-closeness[r], -w[r], docs[doc_ids[r]]))
        ex = []
        for r in ranked[:examples]:
            ex.append(min(by_tokens[docs[doc_ids[r]]]))
        out.append(Cluster(label="、".join(top), terms=top, members=members, examples=ex))
    out.sort(key=lambda c: (-c.count, c.label, c.members[0]))
    return Clustering(out, sorted(unclustered))


def effective_stop_words(added: Iterable[str], removed: Iterable[str]) -> frozenset[str]:
    """The default list plus the words staff added, less the default words they switched off."""
    return (default_stop_words() | {w.strip().lower() for w in added if w.strip()}) - {
        w.strip().lower() for w in removed
    }
