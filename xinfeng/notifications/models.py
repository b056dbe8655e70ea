"""In-app notifications (the inbox every user has) and the record of what was sent where."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .texts import render


class Notification(models.Model):
    """One message in a user's inbox. Email/SMS/WeChat copies are sent through channels."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The text in the site's default language when sent: what the reader sees when the
    # stored message below cannot be rendered (rows from before keys, a removed key).
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The message as key + parameters, rendered in the reader's language (texts.render).
    title_msg = models.JSONField(_("标题（消息键）"), null=True, blank=True)
    body_msg = models.JSONField(_("内容（消息键）"), null=True, blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    kind = models.CharField(_("类型"), max_length=50, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        """The title in the active language (the stored text as fallback)."""
        return render(self.title_msg, self.title)

    @property
    def body_text(self) -> str:
        """The body in the active language (the stored text as fallback)."""
        return render(self.body_msg, self.body)


class Delivery(models.Model):
    """A copy of a notification sent (or attempted) through an outside channel."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="sent")
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")

    def __str__(self) -> str:
        return f"{self.channel}:{self.status}"
