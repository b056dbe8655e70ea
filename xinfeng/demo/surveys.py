"""Demo step ``surveys`` (issue 13): the 三问 round that produced the city's projects.

- 问需: one survey per township, owned by its institute and closed two years ago, with about
  500 answers each (~3,000 in all): which areas residents need (一老一小, health, law,
  culture, skills, environment — multiple choice), the one that matters most, how often,
  today's satisfaction (1–5), and a free-text wish drawn from ``survey_texts``. About one in
  eight respondents answered signed in (a volunteer's account), the rest anonymously.
- The clusters of the wishes: one per need the wish was drawn from (the generator knows it,
  so the demo does not load jieba and stays fast; staff can re-cluster on the page), each
  with its count, villages and examples; the larger ones are marked as needs.
- Needs linked to most of the 141 projects: a project answers the biggest need of its
  township whose theme fits its category (the center's projects: the biggest in the city).
- One 问效 round: an evaluation survey for six of the center's named programmes, 30–60
  ratings each; one programme's ratings are poor, so it is flagged for review.

Everything is written with bulk_create (a few queries per table) — well under 3 s.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from xinfeng.projects.models import Project
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.surveys.choices import (
    AgeBand,
    Channel,
    Sex,
    SurveyKind,
    SurveyStatus,
)
from xinfeng.surveys.models import (
    Answer,
    Cluster,
    ClusterMember,
    Need,
    NeedStatus,
    Question,
    Response,
    Survey,
    SurveyVersion,
    VillageTarget,
)
from xinfeng.surveys.services.evaluation import evaluation_refresh
from xinfeng.volunteers.choices import ServiceCategory as C

from .context import DemoContext
from .survey_questions import AREAS, EVALUATION_QUESTIONS, NEED_LABELS, NEEDS_QUESTIONS
from .survey_texts import need_answer

PER_TOWNSHIP = 500
# theme → the project categories that answer it (first: the need's own category)
THEME_CATEGORIES = {
    "elderly": [C.ELDERLY, C.EVERYDAY_HELP],
    "children": [C.CHILDREN, C.EDUCATION],
    "health": [C.HEALTH, C.SPORT],
    "law": [C.LAW, C.THEORY],
    "culture": [C.CULTURE, C.THEORY, C.SPORT],
    "skills": [C.SCIENCE, C.EDUCATION, C.EVERYDAY_HELP],
}
NEEDS_PER_SURVEY = 12
EVALUATED = 6
AGES = [
    AgeBand.AGE_18_34,
    AgeBand.AGE_35_59,
    AgeBand.AGE_60_69,
    AgeBand.AGE_70_79,
    AgeBand.AGE_80_UP,
]
AGE_WEIGHTS = [14, 34, 24, 18, 10]  # rural respondents: many older people
SEXES = [Sex.FEMALE, Sex.MALE, Sex.UNSAID]


THEME_AREA = {
    "elderly": "elderly",
    "children": "children",
    "health": "health",
    "law": "law",
    "culture": "culture",
    "skills": "skills",
}


def _survey(site, region, title, kind, questions, *, opens, closes, project=None):
    survey = Survey.objects.create(
        title=title,
        kind=kind,
        site=site,
        status=SurveyStatus.CLOSED,
        opens_at=opens,
        closes_at=closes,
        project=project,
        description="新时代文明实践“三问”：问需于民、问计于民、问效于民。",
    )
    survey.regions.add(region)
    version = SurveyVersion.objects.create(survey=survey, number=1, frozen_at=opens)
    Question.objects.bulk_create(
        [
            Question(
                version=version,
                position=i,
                name=name,
                label_zh=zh,
                label_en=en,
                qtype=qtype,
                choices=choices,
            )
            for i, (name, zh, en, qtype, choices) in enumerate(questions, start=1)
        ]
    )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey, version, {q.name: q for q in version.questions.all()}


def _insert(model, rows: list[dict], *, returning: bool = True) -> list[int]:
    """Insert plain rows (attname → value; other columns get the field's default) with one
    ``executemany`` — no model instances, ~5× faster than bulk_create for the tens of
    thousands of answer rows — and return the new ids in insertion order."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        if f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        else:
            defaults[f.attname] = (
                ""
                if f.get_internal_type() in ("CharField", "TextField", "SlugField", "FileField")
                else None
            )
    # plain numbers, text and booleans go as they are; dates and JSON need the backend's form
    convert = {f for f in fields if f.get_internal_type() in ("DateTimeField", "JSONField")}
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our own table name
        before = cur.fetchone()[0]
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
            [
                [
                    _db_value(f, row.get(f.attname, defaults[f.attname]))
                    if f in convert
                    else row.get(f.attname, defaults[f.attname])
                    for f in fields
                ]
                for row in rows
            ],
        )
        if not returning:
            return []
        cur.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [before])  # noqa: S608
        ids = [r[0] for r in cur.fetchall()]
    assert len(ids) == len(rows), "demo surveys: concurrent inserts?"
    return ids


def _db_value(field, value):
    return field.get_db_prep_save(value, connection) if value is not None else None


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("surveys")
    now = timezone.now()
    opens, closes = now - timedelta(days=760), now - timedelta(days=730)
    regions = ctx.data["regions"]
    institutes = ctx.data["institutes"]
    volunteers = ctx.data.get("volunteers", [])
    people = [v.user_id for v in volunteers if getattr(v, "user_id", None)]
    townships = sorted(
        (r for r in regions.values() if r.level == RegionLevel.TOWNSHIP and r.code in institutes),
        key=lambda r: r.code,
    )
    villages_of: dict[int, list[Region]] = {}
    for r in regions.values():
        if r.level == RegionLevel.VILLAGE:
            villages_of.setdefault(r.parent_id, []).append(r)

    surveys, responses, drawn, targets = [], [], [], []
    questions_of = {}
    for town in townships:
        survey, version, qs = _survey(
            institutes[town.code],
            town,
            f"{town.name}“问需于民”志愿服务需求调查",
            SurveyKind.NEEDS,
            NEEDS_QUESTIONS,
            opens=opens,
            closes=closes,
        )
        surveys.append(survey)
        questions_of[survey.pk] = qs
        villages = sorted(villages_of.get(town.pk, []), key=lambda r: r.code) or [town]
        weights = [rng.uniform(0.5, 1.5) for _ in villages]
        for v in villages:
            targets.append(
                VillageTarget(
                    survey=survey, village=v, target=max(5, PER_TOWNSHIP // len(villages))
                )
            )
        signed = rng.sample(people, min(len(people), PER_TOWNSHIP // 8)) if people else []
        for i in range(PER_TOWNSHIP):
            village = rng.choices(villages, weights=weights)[0]
            theme, need, text = need_answer(rng)
            responses.append(
                {
                    "survey_id": survey.pk,
                    "version_id": version.pk,
                    "village_id": village.pk if village.level == RegionLevel.VILLAGE else None,
                    "age_band": rng.choices(AGES, weights=AGE_WEIGHTS)[0],
                    "sex": rng.choice(SEXES),
                    "channel": (
                        channel := rng.choice([Channel.QR, Channel.QR, Channel.LINK, Channel.PAPER])
                    ),
                    "is_proxy": channel == Channel.PAPER,
                    "respondent_id": signed[i] if i < len(signed) else None,
                    "created_at": opens + timedelta(minutes=rng.randint(0, 30 * 24 * 60)),
                }
            )
            drawn.append((survey, theme, need, text))
    VillageTarget.objects.bulk_create(targets)
    response_ids = _insert(Response, responses)

    answers, wish_keys = [], []
    for rid, resp, (survey, theme, need, text) in zip(response_ids, responses, drawn, strict=True):
        qs = questions_of[survey.pk]
        base = {
            "response_id": rid,
            "survey_id": survey.pk,
            "village_id": resp["village_id"],
            "age_band": resp["age_band"],
            "sex": resp["sex"],
        }
        main = THEME_AREA[theme]
        extra = rng.sample([a for a, _zh, _en in AREAS if a != main], rng.randint(0, 2))
        answers.extend({"question_id": qs["areas"].pk, "choice": a, **base} for a in [main, *extra])
        answers.append({"question_id": qs["most"].pk, "choice": main, **base})
        answers.append(
            {
                "question_id": qs["freq"].pk,
                "choice": rng.choices(["weekly", "monthly", "quarterly"], [3, 5, 2])[0],
                **base,
            }
        )
        answers.append(
            {
                "question_id": qs["satisfied"].pk,
                "number": float(rng.choices([1, 2, 3, 4, 5], [4, 10, 30, 38, 18])[0]),
                **base,
            }
        )
        answers.append({"question_id": qs["wish"].pk, "text": text, **base})
        wish_keys.append((survey.pk, theme, need))
    answer_ids = _insert(Answer, answers)
    wish_answers = []
    for aid, a in zip(answer_ids, answers, strict=True):
        if a.get("text"):
            a["id"] = aid
            wish_answers.append(a)

    # clusters: one per (survey, need) the wishes were drawn from
    groups: dict[tuple, list] = {}
    for a, key in zip(wish_answers, wish_keys, strict=True):
        groups.setdefault(key, []).append(a)
    cluster_rows, cluster_members = [], []
    for (survey_id, theme, need), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0][2])
    ):
        texts = []
        for a in members:
            if a["text"] not in texts:
                texts.append(a["text"])
            if len(texts) == 3:
                break
        cluster_rows.append(
            Cluster(
                survey_id=survey_id,
                question_name="wish",
                label=NEED_LABELS[need],
                terms=[],
                count=len(members),
                village_count=len({a["village_id"] for a in members if a["village_id"]}),
                examples=texts,
            )
        )
        cluster_members.append((theme, members))
    clusters = Cluster.objects.bulk_create(cluster_rows)
    _insert(
        ClusterMember,
        [
            {"cluster_id": c.pk, "answer_id": a["id"]}
            for c, (_t, ms) in zip(clusters, cluster_members, strict=True)
            for a in ms
        ],
        returning=False,
    )

    # needs: the biggest clusters of each survey
    survey_by_pk = {s.pk: s for s in surveys}
    need_rows, need_theme = [], []
    by_survey: dict[int, list] = {}
    for c, (theme, _ms) in zip(clusters, cluster_members, strict=True):
        by_survey.setdefault(c.survey_id, []).append((c, theme))
    for survey_id, items in by_survey.items():
        survey = survey_by_pk[survey_id]
        for c, theme in sorted(items, key=lambda x: (-x[0].count, x[0].pk))[:NEEDS_PER_SURVEY]:
            need_rows.append(
                Need(
                    survey=survey,
                    region_id=survey.region_id,
                    cluster=c,
                    title=c.label,
                    category=THEME_CATEGORIES[theme][0],
                    people=c.count,
                    villages=c.village_count,
                    status=NeedStatus.OPEN,
                )
            )
            need_theme.append(theme)
    needs = Need.objects.bulk_create(need_rows)
    Cluster.objects.filter(pk__in=[n.cluster_id for n in needs]).update(edited=True)

    # projects ← needs: same township (the center's: anywhere), fitting theme, biggest first
    town_of_survey = {s.pk: s.region for s in surveys}
    candidates = sorted(zip(needs, need_theme, strict=True), key=lambda x: (-x[0].people, x[0].pk))
    projects = ctx.data.get("projects") or list(Project.objects.all())
    region_by_pk = {r.pk: r for r in regions.values()}
    links, answered = [], set()
    for p in projects:
        region = region_by_pk.get(p.region_id) or Region.objects.get(pk=p.region_id)
        path = region.path
        for need, theme in candidates:
            town = town_of_survey[need.survey_id]
            if p.category not in THEME_CATEGORIES[theme]:
                continue
            if region.level != RegionLevel.COUNTY and not path.startswith(town.path):
                continue
            links.append(Need.projects.through(need_id=need.pk, project_id=p.pk))
            answered.add(need.pk)
            break
    Need.projects.through.objects.bulk_create(links)
    Need.objects.filter(pk__in=answered).update(status=NeedStatus.ANSWERED)

    # one 问效 round: the center's named programmes that answer a need
    center = ctx.data["center"]
    linked = {ln.project_id for ln in links}
    evaluated = [p for p in projects if p.site_id == center.pk and p.pk in linked][:EVALUATED]
    eval_responses, eval_meta = [], []
    city = center.region
    city_villages = [v for vs in villages_of.values() for v in vs]
    for k, project in enumerate(evaluated):
        survey, version, qs = _survey(
            center,
            city,
            f"“问效于民”：{project.name}服务效果评价",
            SurveyKind.EVALUATION,
            EVALUATION_QUESTIONS,
            opens=now - timedelta(days=40),
            closes=now - timedelta(days=10),
            project=project,
        )
        poor = k == len(evaluated) - 1  # the last one did not go well
        weights = [30, 35, 20, 10, 5] if poor else [2, 4, 14, 40, 40]
        for _ in range(rng.randint(30, 60)):
            eval_responses.append(
                {
                    "survey_id": survey.pk,
                    "version_id": version.pk,
                    "village_id": rng.choice(city_villages).pk if city_villages else None,
                    "age_band": rng.choices(AGES, weights=AGE_WEIGHTS)[0],
                    "sex": rng.choice(SEXES),
                    "channel": Channel.LINK,
                    "created_at": now - timedelta(days=rng.randint(10, 40)),
                }
            )
            eval_meta.append((survey, qs, rng.choices([1, 2, 3, 4, 5], weights)[0]))
    eval_ids = _insert(Response, eval_responses)
    eval_answers = []
    for rid, resp, (survey, qs, score) in zip(eval_ids, eval_responses, eval_meta, strict=True):
        base = {
            "response_id": rid,
            "survey_id": survey.pk,
            "village_id": resp["village_id"],
            "age_band": resp["age_band"],
            "sex": resp["sex"],
        }
        eval_answers.append({"question_id": qs["overall"].pk, "number": float(score), **base})
        eval_answers.append(
            {
                "question_id": qs["met"].pk,
                "choice": "yes" if score >= 4 else ("partly" if score == 3 else "no"),
                **base,
            }
        )
    _insert(Answer, eval_answers, returning=False)
    flagged = sum(evaluation_refresh(p).flagged for p in evaluated)

    ctx.data["surveys"] = surveys
    ctx.say(
        f"surveys: {len(surveys)} 问需 surveys, {len(responses)} answers, {len(clusters)} clusters, "
        f"{len(needs)} needs linked to {len(linked)} of {len(projects)} projects; "
        f"问效 of {len(evaluated)} projects ({len(eval_responses)} answers, {flagged} flagged)"
    )
