from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "xinfeng.sync"
    label = "sync"
    verbose_name = _("数据上报")

    def ready(self):
        from xinfeng.core.periodic import register_periodic

        from . import conf, receivers
        from .tasks import relay_outbox, sweep_unreported_volunteers, write_daily_reports

        receivers.connect()
        register_periodic(relay_outbox, every_seconds=conf.relay_every_seconds())
        register_periodic(sweep_unreported_volunteers, every_seconds=60)
        register_periodic(write_daily_reports, every_seconds=3600)
