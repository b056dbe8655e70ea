"""The answers' ``(survey, question, age_band, sex)`` index served cross-tabs read from the
answers; they read the tally now (``models/tally.py``), and the index cost every answer
row an insertion (~23 per answer). ``(survey, question, village)`` still serves a survey's
answers."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_tally_derived_answered")]

    operations = [
        migrations.RemoveIndex(model_name="answer", name="surveys_ans_survey__9a5cf1_idx"),
    ]
