"""Notifications store their title and body as a message key + parameters (rendered in
the reader's language); the old text stays beside them as the fallback.

Rows sent before this are read back into keys where their Chinese text was written by a
text defined today (``texts.parse``); any other row keeps only its text, shown as before.
"""

from django.db import migrations, models

BATCH = 2000


def keys_from_old_text(apps, schema_editor):
    from xinfeng.notifications.texts import parse

    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(title_msg__isnull=True).only("id", "title", "body")
    changed = []
    for n in rows.iterator(chunk_size=BATCH):
        n.title_msg = parse(n.title)
        n.body_msg = parse(n.body)
        if n.title_msg or n.body_msg:
            changed.append(n)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["title_msg", "body_msg"])
            changed = []
    if changed:
        Notification.objects.bulk_update(changed, ["title_msg", "body_msg"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="body_msg",
            field=models.JSONField(blank=True, null=True, verbose_name="内容（消息键）"),
        ),
        migrations.AddField(
            model_name="notification",
            name="title_msg",
            field=models.JSONField(blank=True, null=True, verbose_name="标题（消息键）"),
        ),
        # Reversing drops the columns; the text was never changed, so nothing is lost.
        migrations.RunPython(keys_from_old_text, migrations.RunPython.noop, elidable=True),
    ]
