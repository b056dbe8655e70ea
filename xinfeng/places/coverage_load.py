"""Loading the population layer of the 15-minute circle from a CSV of weighted points.

Columns (header row required, names case-insensitive):

* ``lat`` / ``latitude`` and ``lng`` / ``lon`` / ``longitude`` — WGS-84 degrees;
* ``weight`` / ``population`` — residents the point stands for (≥ 0, may be fractional);
* optionally ``region_code`` (12-digit statistical code) or ``region_id``. Without one,
  each point goes to the nearest village-level region that has coordinates.

Loading is all-or-nothing: the first bad row stops it with its line number.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from scipy.spatial import cKDTree

from xinfeng.core.errors import ValidationFailed
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .coverage import to_xyz
from .models import PopulationPoint

LAT_NAMES = ("lat", "latitude", "纬度")
LNG_NAMES = ("lng", "lon", "longitude", "经度")
WEIGHT_NAMES = ("weight", "population", "人口")
CODE_NAMES = ("region_code", "code", "区划代码")
ID_NAMES = ("region_id",)
BATCH = 5000


@dataclass
class LoadResult:
    created: int
    deleted: int
    total_weight: float


def _column(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _number(value: str, line: int, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("第 %(line)d 行：%(what)s“%(value)s”不是数字。")
            % {"line": line, "what": what, "value": value}
        ) from None
    if math.isnan(x) or math.isinf(x):
        raise ValidationFailed(
            _("第 %(line)d 行：%(what)s不是有效数字。") % {"line": line, "what": what}
        )
    return x


def parse_population_csv(lines: Iterable[str]) -> list[tuple[float, float, float, str | None]]:
    """Rows of (lat, lng, weight, region key) with every value checked."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        raise ValidationFailed(_("文件为空：需要表头行（lat,lng,weight[,region_code]）。"))
    i_lat, i_lng, i_w = (_column(header, n) for n in (LAT_NAMES, LNG_NAMES, WEIGHT_NAMES))
    if i_lat is None or i_lng is None or i_w is None:
        raise ValidationFailed(_("表头需要 lat、lng 和 weight 三列。"))
    i_code, i_id = _column(header, CODE_NAMES), _column(header, ID_NAMES)
    rows = []
    for line, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise ValidationFailed(_("第 %(line)d 行：列数不足。") % {"line": line})
        lat = _number(row[i_lat], line, _("纬度"))
        lng = _number(row[i_lng], line, _("经度"))
        weight = _number(row[i_w], line, _("人口权重"))
        if not -90 <= lat <= 90 or not -180 <= lng <= 180:
            raise ValidationFailed(_("第 %(line)d 行：经纬度超出范围。") % {"line": line})
        if weight < 0:
            raise ValidationFailed(_("第 %(line)d 行：人口权重不能为负。") % {"line": line})
        key = None
        if i_code is not None and row[i_code].strip():
            key = "code:" + row[i_code].strip()
        elif i_id is not None and row[i_id].strip():
            key = "id:" + row[i_id].strip()
        rows.append((lat, lng, weight, key))
    return rows


def _resolve_regions(rows) -> list[int]:
    keys = [r[3] for r in rows]
    codes = {k[5:] for k in keys if k and k.startswith("code:")}
    ids = {k[3:] for k in keys if k and k.startswith("id:")}
    bad_ids = [i for i in ids if not i.isdigit()]
    if bad_ids:
        raise ValidationFailed(_("区划编号无效：%(v)s") % {"v": ", ".join(sorted(bad_ids)[:5])})
    by_code = dict(Region.objects.filter(code__in=codes).values_list("code", "id"))
    known_ids = set(
        Region.objects.filter(pk__in=[int(i) for i in ids]).values_list("id", flat=True)
    )
    missing = sorted(codes - set(by_code)) + sorted(i for i in ids if int(i) not in known_ids)
    if missing:
        raise ValidationFailed(_("找不到区划：%(v)s") % {"v": ", ".join(missing[:5])})
    unresolved = [i for i, k in enumerate(keys) if k is None]
    nearest: dict[int, int] = {}
    if unresolved:
        villages = list(
            Region.objects.filter(
                level=RegionLevel.VILLAGE, latitude__isnull=False, longitude__isnull=False
            ).values_list("id", "latitude", "longitude")
        )
        if not villages:
            raise ValidationFailed(
                _("文件没有区划列，且系统中没有带坐标的村（社区）可供就近归属。")
            )
        v = np.array(villages, dtype=np.float64)
        pts = np.array([(rows[i][0], rows[i][1]) for i in unresolved], dtype=np.float64)
        _dist, idx = cKDTree(to_xyz(v[:, 1], v[:, 2])).query(to_xyz(pts[:, 0], pts[:, 1]))
        nearest = {i: int(v[j, 0]) for i, j in zip(unresolved, idx, strict=True)}
    out = []
    for i, k in enumerate(keys):
        if k is None:
            out.append(nearest[i])
        elif k.startswith("code:"):
            out.append(by_code[k[5:]])
        else:
            out.append(int(k[3:]))
    return out


def population_load_csv(*, lines: Iterable[str], source: str, replace: bool = False) -> LoadResult:
    """Add the points of a CSV to the population layer under ``source``.

    With ``replace`` the points previously loaded from the same ``source`` are deleted in
    the same transaction, so re-loading a corrected file is safe.
    """
    source = (source or "csv")[:60]
    rows = parse_population_csv(lines)
    region_ids = _resolve_regions(rows)
    with transaction.atomic():
        deleted = 0
        if replace:
            deleted, _kinds = PopulationPoint.objects.filter(source=source).delete()
        objs = [
            PopulationPoint(region_id=rid, latitude=lat, longitude=lng, weight=w, source=source)
            for (lat, lng, w, _key), rid in zip(rows, region_ids, strict=True)
        ]
        PopulationPoint.objects.bulk_create(objs, batch_size=BATCH)
    return LoadResult(
        created=len(objs), deleted=deleted, total_weight=float(sum(r[2] for r in rows))
    )
