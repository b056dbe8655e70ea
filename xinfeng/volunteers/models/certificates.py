"""Volunteer service certificates (志愿服务证明)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A numbered certificate of volunteer service, issued by a practice site under the
    志愿服务记录与证明出具办法. Its figures are a snapshot taken when issued, so the PDF and the
    public verification page always show what was certified. Revocable, never deleted."""

    number = models.CharField(_("证明编号"), max_length=20, unique=True)
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="certificates"
    )
    issuer_site = models.ForeignKey(
        "places.Site", verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField(_("出具单位名称"), max_length=120)
    volunteer_name = models.CharField(_("姓名"), max_length=50)
    volunteer_number = models.CharField(_("志愿者编号"), max_length=20)
    period_start = models.DateField(_("起始日期"), null=True, blank=True)
    period_end = models.DateField(_("截止日期"))
    hours = models.DecimalField(_("服务时长"), max_digits=10, decimal_places=2)
    record_count = models.PositiveIntegerField(_("服务次数"))
    summary = models.TextField(_("服务概况"))
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
