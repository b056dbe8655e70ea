from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "xinfeng.governance"
    label = "governance"
    verbose_name = _("组织领导")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from xinfeng.accounts.models import RoleAssignment
        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic
        from xinfeng.insights.sources import register_source
        from xinfeng.insights.tasks import request_rollup

        from .models import ResponsibleTerm, SiteStaff
        from .policy import forget_department_users
        from .rollup import gap_source
        from .tasks import (
            GAP_CHECK_SECONDS,
            HANDOVER_ROLES_SECONDS,
            flag_site_gaps,
            move_due_handover_roles,
        )

        register_periodic(flag_site_gaps, every_seconds=GAP_CHECK_SECONDS)
        register_periodic(move_due_handover_roles, every_seconds=HANDOVER_ROLES_SECONDS)
        # The dashboard counts sites without a responsible person or staff (insights
        # rolls the figure up with its own; a change queues a recompute).
        register_source("governance_gaps", gap_source)
        for model in (ResponsibleTerm, SiteStaff):
            post_save.connect(request_rollup, sender=model, dispatch_uid=f"governance:{model}")
            post_delete.connect(request_rollup, sender=model, dispatch_uid=f"governance-d:{model}")
        # The read-only door keeps the department accounts' ids in the cache.
        post_save.connect(forget_department_users, sender=RoleAssignment, dispatch_uid="gov-dept")
        post_delete.connect(
            forget_department_users, sender=RoleAssignment, dispatch_uid="gov-dept-d"
        )
        # The site page: the responsible person's post, the contact route (the site's
        # phone, never a private one) and the staff in post.
        fill("places.site_detail.responsible", "governance/slots/site_responsible.html")
        # 我的: the governance pages for those who use them.
        fill("accounts.me.actions", "governance/slots/me_links.html", order=60)
