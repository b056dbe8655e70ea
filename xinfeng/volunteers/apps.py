from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "xinfeng.volunteers"
    label = "volunteers"
    verbose_name = _("志愿者与队伍")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from xinfeng.accounts.registration import phone_changed

        from .models import Team, TeamMembership, VolunteerImport
        from .policy import forget_team_leaders
        from .services.profiles import follow_phone_change
        from .tasks import queue_new_import

        post_save.connect(queue_new_import, sender=VolunteerImport, dispatch_uid="vol-import")
        # A proven change of the account's phone is the volunteer's phone too.
        phone_changed.connect(follow_phone_change, dispatch_uid="volunteer-phone")
        # The menu's cached "leads a team" answers follow membership and team changes.
        for model in (TeamMembership, Team):
            post_save.connect(forget_team_leaders, sender=model, dispatch_uid=f"leaders-{model}")
            post_delete.connect(
                forget_team_leaders, sender=model, dispatch_uid=f"leaders-d-{model}"
            )
