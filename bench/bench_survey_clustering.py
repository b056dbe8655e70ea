"""Benchmark: cluster 20,000 free-text 问需 answers (jieba tokens, TF-IDF, leader + merge).

Target (issue #13): < 10 s on this 2-core machine. The answers are the demo's phrasings
(xinfeng.demo.survey_texts) made nearly all distinct, as real answers are: most carry a
village, a number or a second clause, so almost every text is segmented on its own (the
clustering counts identical texts once, which would otherwise flatter it). Segmentation is
done per clause (the runs jieba cuts on its own) and a clause repeated across answers is
segmented once; the JSON says how many distinct clauses there were.

The time is the whole ``cluster_texts`` call (segmentation included) with jieba's dictionary
already loaded; the dictionary load is reported apart (``dictionary_s``). Prints one JSON
line; ``BENCH_SURVEY_TEXTS`` / ``BENCH_RUNS`` scale it.
"""

import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfeng.demo.survey_texts import answers  # noqa: E402
from xinfeng.surveys.clustering import _RUNS, _jieba, cluster_texts  # noqa: E402

COUNT = int(os.environ.get("BENCH_SURVEY_TEXTS", 20_000))
RUNS = int(os.environ.get("BENCH_RUNS", 3))
VILLAGES = [
    "水口",
    "茶林",
    "江益",
    "金湖",
    "苏家垱",
    "甘露",
    "泉塘",
    "南湖",
    "东林",
    "西畈",
    "周家",
    "刘家",
    "港口",
    "新塘",
    "白石",
    "马鞍",
]
TAILS = [
    "",
    "，我们{v}村老人多",
    "，{v}村有{n}个孩子放学没人管",
    "，家里{n}口人",
    "，在{v}村委会办就行",
    "，每周{n}次",
    "，另外{v}村的路灯也要修",
    "，我今年{n}岁了",
]


def dataset(seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for text in answers(rng, COUNT):
        tail = rng.choice(TAILS).format(v=rng.choice(VILLAGES), n=rng.randint(2, 90))
        out.append(text + tail)
    return out


def main() -> None:
    t0 = time.perf_counter()
    _jieba()
    dictionary_s = time.perf_counter() - t0
    texts = dataset(2021)
    times = []
    result = None
    for _ in range(RUNS):
        t = time.perf_counter()
        result = cluster_texts(texts)
        times.append(time.perf_counter() - t)
    assert result is not None
    clustered = sum(c.count for c in result.clusters)
    print(
        json.dumps(
            {
                "bench": "survey_clustering",
                "answers": len(texts),
                "distinct_texts": len(set(texts)),
                # clauses (runs between punctuation) are segmented once each
                "distinct_runs": len({r for t in texts for r in _RUNS.findall(t)}),
                "runs": RUNS,
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "target_s": 10,
                "dictionary_s": round(dictionary_s, 3),
                "clusters": len(result.clusters),
                "clustered": clustered,
                "unclustered": len(result.unclustered),
                "largest": [[c.label, c.count] for c in result.clusters[:5]],
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_avg_1m": round(os.getloadavg()[0], 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
