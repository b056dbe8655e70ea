from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "xinfeng.volunteers"
    label = "volunteers"
    verbose_name = _("志愿者与队伍")

    def ready(self):
        from django.db.models.signals import post_save

        from .models import VolunteerImport
        from .tasks import queue_new_import

        post_save.connect(queue_new_import, sender=VolunteerImport, dispatch_uid="vol-import")
