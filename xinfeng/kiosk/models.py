"""自助终端 (kiosk, issue 16): a touch screen in a village hall, paired to one site with a
one-time code; its credential (a random token, stored hashed) can do kiosk actions for that
site only, until staff revoke it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site


class KioskDevice(models.Model):
    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="kiosks"
    )
    name = models.CharField(_("终端名称"), max_length=50, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    paired_at = models.DateTimeField(_("配对时间"), auto_now_add=True)
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("自助终端")
        verbose_name_plural = _("自助终端")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class KioskPairCode(models.Model):
    """A one-time code staff create for a site; the kiosk types it once within its life."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.site_id} · {self.created_at:%Y-%m-%d %H:%M}"


class KioskWalkIn(models.Model):
    """现场登记: someone at the kiosk without a phone; staff of the site confirm later."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(KioskDevice, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("现场登记")
        verbose_name_plural = _("现场登记")

    def __str__(self) -> str:
        return f"{self.site_id} · {self.created_at:%Y-%m-%d %H:%M}"
