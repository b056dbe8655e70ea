"""Bulk volunteer imports from Excel, run by the worker with progress the page polls."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.volunteers.choices import ImportStatus


class VolunteerImport(models.Model):
    """One uploaded sheet of volunteers and its progress.

    The sheet and the rejected rows hold ID numbers, so both are stored encrypted
    (``core.crypto``); the sheet is dropped once the import has finished.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("导入到区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("表中未填写所属区划的行登记到此区划。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    content_encrypted = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("导入成功"), default=0)
    rejected_count = models.PositiveIntegerField(_("未导入"), default=0)
    rejected_encrypted = models.TextField(blank=True, editable=False)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者导入")
        verbose_name_plural = _("志愿者导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.FAILED) else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
