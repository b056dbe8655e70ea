"""Clustering of free-text needs (xinfeng.surveys.clustering): similar Chinese answers land
together, different needs apart, stop words matter, and the result does not depend on order."""

import random

from xinfeng.demo.survey_texts import THEMES, need_answer
from xinfeng.surveys.clustering import (
    cluster_texts,
    default_stop_words,
    effective_stop_words,
    tokenize,
)

MEALS = ["希望给老人送餐", "老人送餐服务", "建议给独居老人送餐，谢谢", "老人送餐！"]
LAW = ["免费法律咨询", "希望有免费法律咨询。", "需要法律咨询服务", "律师进村法律咨询"]
DANCE = ["广场舞培训", "希望组织广场舞培训", "建议开展广场舞培训，方便大家"]


def _cluster_of(result, index):
    for n, c in enumerate(result.clusters):
        if index in c.members:
            return n
    return None


def test_tokenize_drops_stop_words_and_punctuation():
    tokens = tokenize("希望给老人送餐，谢谢！", default_stop_words())
    assert tokens == ["老人", "送餐"]


def test_unknown_words_are_kept_as_runs_of_characters():
    # "嘉嘉湾" is no dictionary word; its characters are joined, not dropped
    assert "嘉嘉湾" in "".join(tokenize("嘉嘉湾修路", ()))


def test_similar_answers_group_and_different_needs_separate():
    texts = MEALS + LAW + DANCE
    result = cluster_texts(texts)
    meals = {_cluster_of(result, i) for i in range(len(MEALS))}
    law = {_cluster_of(result, len(MEALS) + i) for i in range(len(LAW))}
    dance = {_cluster_of(result, len(MEALS) + len(LAW) + i) for i in range(len(DANCE))}
    assert len(meals) == 1 and None not in meals
    assert len(law) == 1 and None not in law
    assert len(dance) == 1 and None not in dance
    assert meals.isdisjoint(law) and meals.isdisjoint(dance) and law.isdisjoint(dance)
    by_index = {_cluster_of(result, 0): result.clusters[_cluster_of(result, 0)]}
    assert "送餐" in by_index[_cluster_of(result, 0)].label
    assert result.clusters[_cluster_of(result, len(MEALS))].count == len(LAW)


def test_answers_without_content_are_left_unclustered():
    result = cluster_texts(["没有", "无", "  ", "义诊", "希望义诊"])
    assert result.unclustered == [0, 1, 2]
    assert [c.members for c in result.clusters] == [[3, 4]]


def test_stop_words_change_the_grouping():
    texts = ["村口路灯维修", "村口垃圾清运"]
    # with "村口" as an ordinary word the two share it; made a stop word they share nothing
    assert len(cluster_texts(texts, stop_words=set(), threshold=0.1).clusters) == 1
    assert len(cluster_texts(texts, stop_words={"村口"}, threshold=0.1).clusters) == 2


def test_effective_stop_words_add_and_switch_off():
    words = effective_stop_words(added=["村口"], removed=["服务"])
    assert "村口" in words and "服务" not in words and "希望" in words


def test_clusters_follow_the_needs_the_answers_were_drawn_from():
    rng = random.Random(7)
    drawn = [need_answer(rng) for _ in range(3000)]
    result = cluster_texts([t for _, _, t in drawn])
    # each cluster is dominated by one theme: purity over all clustered answers >= 95 %
    agree = 0
    for c in result.clusters:
        themes = [drawn[i][0] for i in c.members]
        agree += max(themes.count(t) for t in THEMES)
    clustered = sum(c.count for c in result.clusters)
    assert clustered >= 0.95 * len(drawn)
    assert agree >= 0.95 * clustered


def test_deterministic_whatever_the_input_order():
    rng = random.Random(3)
    texts = [need_answer(rng)[2] for _ in range(500)]
    first = cluster_texts(texts)
    order = list(range(len(texts)))
    random.Random(5).shuffle(order)
    second = cluster_texts([texts[i] for i in order])
    as_sets = lambda res, idx: sorted(  # noqa: E731
        sorted(texts[idx[i]] for i in c.members) for c in res.clusters
    )
    assert as_sets(first, list(range(len(texts)))) == as_sets(second, order)
    assert [c.label for c in first.clusters] == [c.label for c in second.clusters]
