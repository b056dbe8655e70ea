"""The administrative region tree (province → … → natural village) and its path helpers.

Below accounts and places: scope (accounts) and sites (places) both stand on it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import RegionLevel

# A region's path is the chain of its ancestors' ids, each zero-padded to this many
# digits. Digit-only, fixed-width segments make "the subtree of P" the plain range
# [P, P + "9"*n] under any collation, so one B-tree index answers it on SQLite and
# PostgreSQL alike (LIKE 'P%' would need varchar_pattern_ops on a non-C collation).
PATH_SEGMENT = 8
PATH_MAX_DEPTH = 8
PATH_MAX_LENGTH = PATH_SEGMENT * PATH_MAX_DEPTH


def path_upper_bound(path: str) -> str:
    return path + "9" * (PATH_MAX_LENGTH - len(path))


def subtree_q(paths, field: str = "path") -> Q:
    """Q matching rows whose ``field`` (a region path) lies in any of the given subtrees."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__gte": p, f"{field}__lte": path_upper_bound(p)})
    return q


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: "Region", include_self: bool = True) -> "RegionQuerySet":
        qs = self.filter(subtree_q([region.path]))
        return qs if include_self else qs.exclude(pk=region.pk)


class Region(models.Model):
    """An administrative division: province, city, county, township/street, village/community
    or natural village. Keyed by the 12-digit NBS statistical code where one exists."""

    code = models.CharField(
        _("统计区划代码"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{12}$", _("区划代码应为 12 位数字。"))],
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    level = models.CharField(_("层级"), max_length=20, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        # The table kept its name when the model moved here from places (#9).
        db_table = "places_region"

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        # The path needs the primary key, so a new row is saved twice.
        if self.parent_id and self.parent.depth + 1 >= PATH_MAX_DEPTH:
            raise ValidationError(_("区划层级过深。"))
        super().save(*args, **kwargs)
        path = self.compute_path()
        if path != self.path:
            old = self.path
            self.path, self.depth = path, len(path) // PATH_SEGMENT - 1
            Region.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old:  # moved: re-root the subtree
                for child in Region.objects.filter(subtree_q([old])).exclude(pk=self.pk):
                    child.save()

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else ""
        return prefix + str(self.pk).zfill(PATH_SEGMENT)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_within(self, other: "Region") -> bool:
        return self.path.startswith(other.path)

    def ancestors(self):
        """Ancestors from the root down, excluding self (one query)."""
        paths = [self.path[: i * PATH_SEGMENT] for i in range(1, len(self.path) // PATH_SEGMENT)]
        return Region.objects.filter(path__in=paths).order_by("path")
