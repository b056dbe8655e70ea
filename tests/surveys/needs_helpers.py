"""Build a survey with answers directly (bulk), for the results / needs tests (PART 2)."""

import random

from xinfeng.regions.choices import RegionLevel
from xinfeng.surveys.choices import AgeBand, Channel, QuestionType, Sex, SurveyKind, SurveyStatus
from xinfeng.surveys.models import Answer, Question, Response, Survey, SurveyVersion, VillageTarget

from ..factories import RegionFactory

NEEDS = ["elderly", "children", "health", "law", "culture", "skills"]
FREQ = ["weekly", "monthly", "never"]
TEXTS = {
    "elderly": ["希望给老人送餐", "老人送餐服务", "给独居老人送餐"],
    "law": ["免费法律咨询", "希望有免费法律咨询", "律师进村法律咨询"],
    "culture": ["广场舞培训", "希望组织广场舞培训"],
}


def make_survey(site, *, kind=SurveyKind.NEEDS, project=None, title="问需调查") -> Survey:
    survey = Survey.objects.create(
        title=title, kind=kind, site=site, status=SurveyStatus.OPEN, project=project
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    qs = [
        ("freq", QuestionType.SINGLE, FREQ),
        ("need", QuestionType.MULTIPLE, NEEDS),
        ("sat", QuestionType.RATING, None),
        ("wish", QuestionType.TEXT, None),
    ]
    for pos, (name, qtype, choices) in enumerate(qs, start=1):
        Question.objects.create(
            version=version,
            position=pos,
            name=name,
            label_zh=f"题目{name}",
            label_en=f"Question {name}",
            qtype=qtype,
            choices=[{"key": k, "label_zh": f"选项{k}", "label_en": k} for k in choices or []],
        )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


def villages_of(township, n=3, start=0):
    return [
        RegionFactory(
            name=f"{township.name}{i}村",
            code=f"{township.code[:9]}{i + 300 + start:03d}",
            level=RegionLevel.VILLAGE,
            parent=township,
        )
        for i in range(n)
    ]


def fill(survey, villages, n, *, seed=1, respondents=(), rating=None):
    """``n`` responses spread over ``villages``; returns the drawn rows for independent
    counting: dicts with village, age_band, sex, freq, need (list), sat, wish."""
    rng = random.Random(seed)
    version = survey.current_version
    q = {x.name: x for x in version.questions.all()}
    drawn = []
    responses = []
    for i in range(n):
        row = {
            "village": rng.choice(villages) if villages else None,
            "age_band": rng.choice(list(AgeBand.values)[2:]),
            "sex": rng.choice([Sex.FEMALE, Sex.MALE, Sex.UNSAID]),
            "freq": rng.choice(FREQ),
            "need": rng.sample(NEEDS, rng.randint(1, 3)),
            "sat": rating if rating is not None else rng.randint(1, 5),
            "respondent": respondents[i] if i < len(respondents) else None,
        }
        theme = rng.choice(list(TEXTS))
        row["theme"] = theme
        row["wish"] = rng.choice(TEXTS[theme])
        drawn.append(row)
        responses.append(
            Response(
                survey=survey,
                version=version,
                village=row["village"],
                age_band=row["age_band"],
                sex=row["sex"],
                channel=Channel.LINK,
                respondent=row["respondent"],
            )
        )
    responses = Response.objects.bulk_create(responses)
    answers = []
    for resp, row in zip(responses, drawn, strict=True):
        common = {
            "response": resp,
            "survey": survey,
            "village": row["village"],
            "age_band": row["age_band"],
            "sex": row["sex"],
        }
        answers.append(Answer(question=q["freq"], choice=row["freq"], **common))
        answers.extend(Answer(question=q["need"], choice=k, **common) for k in row["need"])
        answers.append(Answer(question=q["sat"], number=float(row["sat"]), **common))
        answers.append(Answer(question=q["wish"], text=row["wish"], **common))
    Answer.objects.bulk_create(answers)
    return drawn


def target(survey, village, n):
    return VillageTarget.objects.create(survey=survey, village=village, target=n)
