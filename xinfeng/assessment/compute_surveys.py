"""The 三问 figures (issue 13's surveys) of a township or village for a period, read-only
from the surveys app's models and its results helper (``surveys.results.response_rates``,
the same per-village counts its results page shows):

- ``surveys_held``: 三问 questionnaires of the place's sites that received answers in the
  period;
- ``survey_response_rate``: answers against the village targets of the questionnaires
  collecting in the period, each village counted up to its target (over-collection in one
  village does not hide a shortfall in another);
- ``needs_answered`` / ``needs_to_projects``: needs recognised by the period's end that a
  service project or activity answers / that became a service project;
- ``evaluation_mean``: the mean 1–5 rating of the 问效 answers given in the period by
  residents of the place (the ratings ``surveys.services.evaluation`` averages per project).

They are counted set-based with the other place figures (``compute_places.COMPUTE_SURVEYS``);
``survey_figure`` is the one-place form.
"""

from xinfeng.regions.models import Region

from .compute_places import COMPUTE_SURVEYS, place_figures
from .figures import Context, Period


def survey_figure(metric: str, region: Region, period: Period, ctx: Context | None = None):
    """A 三问 figure of one township or village (None: not a 三问 metric)."""
    if metric not in COMPUTE_SURVEYS:
        return None
    return place_figures(metric, [region], period, ctx)[region.pk]
