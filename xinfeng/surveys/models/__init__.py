"""Surveys (三问): questionnaires and their versions (``survey``), responses and answers
(``answers``). PART 2 adds its own modules here (``needs``: clusters, needs) and imports
them below."""

from .answers import Answer, Response
from .needs import Cluster, ClusterMember, Need, NeedStatus, ProjectEvaluation, StopWord
from .survey import Question, Survey, SurveyVersion, VillageTarget, new_survey_token
from .tally import ResponseClaim, Tally

__all__ = [
    "Answer",
    "Cluster",
    "ClusterMember",
    "Need",
    "NeedStatus",
    "ProjectEvaluation",
    "StopWord",
    "Question",
    "Response",
    "ResponseClaim",
    "Survey",
    "SurveyVersion",
    "Tally",
    "VillageTarget",
    "new_survey_token",
]
