"""Names for third-party sections of the admin, in the interface's languages.

Third-party apps name themselves in English only (``django_tasks_db``'s "Tasks Database
Backend"), so a Chinese admin showed English headers. Their lazily translated labels
(model and field names, task states) get Chinese in this app's ``zh_Hans`` catalog; the
plain-string ones are replaced here at start-up with translatable names. An app that is
not installed is skipped.

The worker's task results are mostly notification deliveries, which is why this lives
with the notifications.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

# app label → the section's name in the admin
APP_NAMES = {
    "django_tasks_database": _("后台任务"),
    "account": _("邮箱登录"),
    "socialaccount": _("第三方账号登录"),
}


def relabel_third_party_apps() -> None:
    """Give installed third-party apps translatable admin names (and the task list's
    computed column a translatable header)."""
    for label, name in APP_NAMES.items():
        config = apps.app_configs.get(label)
        if config is not None:
            config.verbose_name = name
    if "django_tasks_database" in apps.app_configs:
        model = apps.get_model("django_tasks_database", "DBTaskResult")
        prop = getattr(model, "task_name", None)
        if isinstance(prop, property) and prop.fget is not None:
            prop.fget.short_description = _("任务")
