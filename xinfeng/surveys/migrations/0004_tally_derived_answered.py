"""A single choice, rating or village question's respondents are no longer a tally row of
their own (they are the sum of its key rows, and a rating's key rows carry its numbers):
tallies written before do not have that shape, so they are dropped — each survey's is
rebuilt from its answers on the next read of its results (its stamp is then behind, see
``services/tally.py``). Going back drops them too, for the same reason."""

from django.db import migrations

DROP = "DELETE FROM surveys_tally"


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_tally")]

    operations = [migrations.RunSQL(DROP, reverse_sql=DROP)]
