"""Running counts of a survey's answers, so its results page reads a few thousand rows
instead of every answer (issue #13: 100,000 responses × 20 questions in < 1 s).

One ``Tally`` row per survey × question × key × village × age band × sex:

================= ===========================================================
``question_id``   ``0``: the responses themselves (``n`` responses, ``total`` the
                  sum of their ids — with ``n`` the stamp that tells a tally from a
                  stale one); else a question
``key``           ``""``: the question's respondents (``n``; for numbers also
                  ``total``, ``lo``, ``hi``); else a choice key, a rating value
                  (``"1"``…``"5"``) or a picked village's id: answer rows (``n``;
                  for a rating also ``total``, ``lo``, ``hi`` of its numbers)
``village_id``    the respondent's village (``0``: none)
================= ===========================================================

A single choice, rating or village question (one answer row per respondent, its key says
it all) has no ``""`` row for the answers that have a key: its respondents are the sum of
its key rows, so an answer upserts ~29 rows for 20 questions rather than ~45. Its ``""``
row holds only answers without a key (a rating without a number, written past the
answering service), so that they still count as answered.

Written in the answering transaction (``services.tally``); a writer that inserts answers
by other means (the demo's bulk insert, factories) leaves the stamp behind the responses,
and the next reader rebuilds the survey's tally from the answers in one grouped query.
Plain integer columns, not foreign keys: ``0`` stands for "none" so the unique key has no
NULLs (a NULL would never conflict) and the upsert is the same on every database.
"""

from django.db import models

from .survey import Survey


class Tally(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    question_id = models.BigIntegerField()
    key = models.CharField(max_length=64, blank=True)
    village_id = models.BigIntegerField()
    age_band = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    n = models.BigIntegerField(default=0)
    total = models.FloatField(default=0)
    lo = models.FloatField(null=True)
    hi = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "question_id", "key", "village_id", "age_band", "sex"],
                name="survey_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.question_id}:{self.key}"


class ResponseClaim(models.Model):
    """Who has answered a survey, for the duplicate rules (``services.answering``): one row
    per survey × key (``u:<account>``, ``d:<device hash>``, ``a:<address hash>``) with the
    start of its current window and the answers in it. The unique key makes the check one
    upsert, exact under concurrency: no query before the insert, no lock held across it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=80)
    claimed_at = models.DateTimeField()
    n = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="survey_claim_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.key}"
