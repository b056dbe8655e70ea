from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "xinfeng.surveys"
    label = "surveys"
    verbose_name = _("三问调查")

    def ready(self):
        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic

        from .tasks_needs import refresh_evaluations, send_due_evaluations

        # The project page (a lower app) names this slot: the needs a project answers
        # ("来自三问：N 位群众、M 个村提出", linked back) and its 问效 result and review flag.
        fill("projects.detail.after", "surveys/slots/project_needs.html", order=20)
        # 我的 → 三问调查 for staff (the list page's own gate: a staff role somewhere).
        fill("accounts.me.actions", "surveys/slots/me_surveys.html", order=50)
        register_periodic(refresh_evaluations, every_seconds=15 * 60)
        register_periodic(send_due_evaluations, every_seconds=15 * 60)

        from django.db.models.signals import m2m_changed

        from .models import Survey
        from .services.answering import forget_coverage

        def coverage_changed(sender, instance, **kwargs):
            if isinstance(instance, Survey):
                forget_coverage(instance.pk)

        # the answer path keeps each survey's villages per process for a minute
        m2m_changed.connect(
            coverage_changed, sender=Survey.regions.through, weak=False, dispatch_uid="sv_cov"
        )
