"""Demo step: Gongqingcheng's real divisions and its practice sites as the report describes.

1 center, 56 institutes (6 township ones + 50 hosted by city departments and units),
97 stations (69 village/community ones, 60 of them complexes, + 28 hosted by units),
and practice points in ancestral halls, parks, factories and schools.
"""

import csv
import math
from pathlib import Path

from xinfeng.places.choices import Department, Facility, PointKind, SiteLevel, VenueUse
from xinfeng.places.models import Site, Venue
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .context import DemoContext
from .names import person_name

DATA = Path(__file__).parent / "data"
CITY_CODE = "360482000000"

UNITS = [
    ("市委组织部", Department.ORGANIZATION),
    ("市委宣传部", Department.PUBLICITY),
    ("市财政局", Department.FINANCE),
    ("市民政局", Department.CIVIL_AFFAIRS),
    ("市文广新旅局", Department.CULTURE_TOURISM),
    ("市人社局", Department.HUMAN_RESOURCES),
    ("市教育体育局", Department.EDUCATION),
    ("市卫生健康委员会", Department.HEALTH),
    ("团市委", Department.YOUTH_LEAGUE),
    ("市妇联", Department.WOMENS_FEDERATION),
    ("市科协", Department.SCIENCE_ASSOCIATION),
    ("市司法局", Department.JUSTICE),
    ("市融媒体中心", Department.PUBLICITY),
    ("市总工会", Department.ORGANIZATION),
    ("市残联", Department.CIVIL_AFFAIRS),
    ("市公安局", Department.JUSTICE),
    ("市消防救援大队", Department.CIVIL_AFFAIRS),
    ("市人民医院", Department.HEALTH),
    ("市中医院", Department.HEALTH),
    ("市疾控中心", Department.HEALTH),
    ("共青城市图书馆", Department.CULTURE_TOURISM),
    ("共青城市文化馆", Department.CULTURE_TOURISM),
    ("胡耀邦纪念馆", Department.PUBLICITY),
    ("共青垦殖场旧址", Department.PUBLICITY),
    ("共青科技职业学院", Department.EDUCATION),
    ("江西农业大学南昌商学院", Department.EDUCATION),
    ("共青城市第一中学", Department.EDUCATION),
    ("共青城市第二中学", Department.EDUCATION),
    ("共青城市实验小学", Department.EDUCATION),
    ("共青城市特殊教育学校", Department.EDUCATION),
    ("鸭鸭集团", Department.HUMAN_RESOURCES),
    ("共青城高新区管委会", Department.ORGANIZATION),
    ("共青城市税务局", Department.FINANCE),
    ("国网共青城供电公司", Department.HUMAN_RESOURCES),
    ("共青城市自然资源局", Department.CIVIL_AFFAIRS),
    ("共青城市生态环境局", Department.CIVIL_AFFAIRS),
    ("共青城市农业农村局", Department.CIVIL_AFFAIRS),
    ("共青城市退役军人事务局", Department.CIVIL_AFFAIRS),
    ("共青城市应急管理局", Department.CIVIL_AFFAIRS),
    ("共青城市市场监管局", Department.JUSTICE),
    ("共青城市交通运输局", Department.CIVIL_AFFAIRS),
    ("共青城市住建局", Department.CIVIL_AFFAIRS),
    ("共青城市水利局", Department.CIVIL_AFFAIRS),
    ("共青城市林业局", Department.CIVIL_AFFAIRS),
    ("共青城市工商联", Department.ORGANIZATION),
    ("共青城市红十字会", Department.HEALTH),
    ("共青城市关工委", Department.YOUTH_LEAGUE),
    ("共青城市老干部局", Department.ORGANIZATION),
    ("共青城市邮政分公司", Department.HUMAN_RESOURCES),
    ("共青城农商银行", Department.FINANCE),
]
UNIT_STATION_HOSTS = [
    ("富华山公园", PointKind.PARK),
    ("青年广场", PointKind.PARK),
    ("博阳河湿地公园", PointKind.PARK),
    ("共青城市第一中学", PointKind.SCHOOL),
    ("共青城市第三小学", PointKind.SCHOOL),
    ("共青城市第四小学", PointKind.SCHOOL),
    ("江益中学", PointKind.SCHOOL),
    ("甘露中学", PointKind.SCHOOL),
    ("鸭鸭羽绒服厂区", PointKind.FACTORY),
    ("高新区电子产业园", PointKind.FACTORY),
    ("纺织服装产业园", PointKind.FACTORY),
    ("光伏产业园", PointKind.FACTORY),
    ("市人民医院", PointKind.HOSPITAL),
    ("江益镇卫生院", PointKind.HOSPITAL),
    ("甘露镇卫生院", PointKind.HOSPITAL),
    ("金湖乡卫生院", PointKind.HOSPITAL),
    ("青年城小区", PointKind.COMMUNITY),
    ("湖畔花园小区", PointKind.COMMUNITY),
    ("南湖新城小区", PointKind.COMMUNITY),
    ("富华小区", PointKind.COMMUNITY),
    ("市图书馆", PointKind.GENERAL),
    ("市文化馆", PointKind.GENERAL),
    ("市体育中心", PointKind.GENERAL),
    ("共青城火车站", PointKind.GENERAL),
    ("汽车客运站", PointKind.GENERAL),
    ("鄱阳湖生态旅游区", PointKind.PARK),
    ("耀邦陵园", PointKind.PARK),
    ("共青城学院", PointKind.SCHOOL),
]
POINT_KINDS = [
    ("祠堂", PointKind.ANCESTRAL_HALL),
    ("公园", PointKind.PARK),
    ("厂区", PointKind.FACTORY),
    ("学校", PointKind.SCHOOL),
    ("小区", PointKind.COMMUNITY),
]
SURNAME_HALLS = "王李张刘陈杨黄周徐胡罗曹"
HOURS = [
    "周一至周五 08:30-17:30",
    "周一至周日 08:00-21:00",
    "周二至周日 09:00-17:00；周一闭馆",
    "周一至周五 08:30-12:00、14:30-17:30；周末活动日开放",
]
VENUE_TEMPLATES = [
    (
        "多功能厅",
        [VenueUse.STUDY, VenueUse.POLICY_TALK, VenueUse.SCIENCE, VenueUse.FILM],
        (60, 200),
    ),
    ("文明实践课堂", [VenueUse.STUDY, VenueUse.TRAINING, VenueUse.CHILDREN], (30, 80)),
    ("农家书屋", [VenueUse.READING, VenueUse.CHILDREN], (10, 30)),
    ("健身室", [VenueUse.FITNESS], (10, 40)),
    ("议事厅", [VenueUse.MEETING, VenueUse.POLICY_TALK], (15, 40)),
    ("颐养之家活动室", [VenueUse.ELDERLY, VenueUse.HEALTH, VenueUse.CULTURE], (20, 60)),
]


def short_name(name: str) -> str:
    for suffix in ("村民委员会", "居民委员会", "居民居委会", "村村民委员会", "社区居民委员会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            if suffix.startswith("村") or suffix == "村民委员会":
                return base if base.endswith("村") else base + "村"
            return base if base.endswith(("区", "社区")) else base + "社区"
    return name


def _jitter(rng, lat, lng, km):
    r = km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    return (
        round(lat + r * math.cos(theta) / 111.0, 6),
        round(lng + r * math.sin(theta) / (111.0 * math.cos(math.radians(lat))), 6),
    )


def _regions(ctx: DemoContext) -> dict[str, Region]:
    rng = ctx.rng_for("regions")
    with open(DATA / "gongqingcheng-township-seats.csv", encoding="utf-8") as f:
        seats = {row["code"]: row for row in csv.DictReader(f)}
    province = Region.objects.create(code="360000000000", name="江西省", level=RegionLevel.PROVINCE)
    prefecture = Region.objects.create(
        code="360400000000", name="九江市", level=RegionLevel.CITY, parent=province
    )
    by_code = {province.code: province, prefecture.code: prefecture}
    with open(DATA / "gongqingcheng-divisions.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        parent = by_code[row["parent_code"]]
        level = {
            "county": RegionLevel.COUNTY,
            "township": RegionLevel.TOWNSHIP,
            "village": RegionLevel.VILLAGE,
        }[row["level"]]
        lat = lng = None
        population = None
        if level == RegionLevel.COUNTY:
            lat, lng = 29.2486, 115.8056
        elif level == RegionLevel.TOWNSHIP:
            lat, lng = float(seats[row["code"]]["lat"]), float(seats[row["code"]]["lng"])
        else:
            lat, lng = _jitter(rng, parent.latitude, parent.longitude, 4.5)
            urban = "居" in row["name"] or "社区" in row["name"]
            population = rng.randint(3500, 9000) if urban else rng.randint(1200, 4200)
            if "生活区" in row["name"]:
                population = rng.randint(400, 1500)
        region = Region.objects.create(
            code=row["code"],
            name=row["name"],
            short_name=short_name(row["name"]) if level == RegionLevel.VILLAGE else "",
            level=level,
            parent=parent,
            latitude=lat,
            longitude=lng,
            population=population,
        )
        by_code[row["code"]] = region
    # A few natural villages under 水口村, where the report's ancestral-hall point stands.
    shuikou = by_code["360482201200"]
    for i, name in enumerate(["水口村上屋组", "水口村下屋组", "水口村港背组"]):
        lat, lng = _jitter(rng, shuikou.latitude, shuikou.longitude, 1.2)
        Region.objects.create(
            name=name,
            level=RegionLevel.NATURAL_VILLAGE,
            parent=shuikou,
            latitude=lat,
            longitude=lng,
            population=300 + 90 * i,
        )
    for township in (r for r in by_code.values() if r.level == RegionLevel.TOWNSHIP):
        township.population = sum(
            r.population or 0 for r in by_code.values() if r.parent_id == township.id
        )
        township.save(update_fields=["population"])
    city = by_code[CITY_CODE]
    city.population = sum(
        r.population or 0 for r in by_code.values() if r.level == RegionLevel.TOWNSHIP
    )
    city.save(update_fields=["population"])
    return by_code


def _site(rng, **kw) -> Site:
    kw.setdefault("opening_hours", rng.choice(HOURS))
    kw.setdefault("responsible_name", person_name(rng))
    site = Site(**kw)
    site.full_clean()
    site.save()
    return site


def _venues(rng, site: Site, count: int) -> None:
    for name, uses, (lo, hi) in rng.sample(VENUE_TEMPLATES, count):
        Venue.objects.create(
            site=site,
            name=name,
            uses=list(uses),
            capacity=rng.randint(lo, hi),
            opens_at="08:00",
            closes_at="21:00",
        )


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("places")
    regions = _regions(ctx)
    city = regions[CITY_CODE]
    townships = [r for r in regions.values() if r.level == RegionLevel.TOWNSHIP]
    villages = [r for r in regions.values() if r.level == RegionLevel.VILLAGE]

    center = _site(
        rng,
        name="共青城市新时代文明实践中心",
        level=SiteLevel.CENTER,
        region=city,
        address="江西省共青城市茶山街道青年大道市民中心",
        latitude=29.2486,
        longitude=115.8056,
        responsible_title="市委书记（中心主任）",
        opening_hours="周一至周日 08:30-21:00",
        facilities=[Facility.PARTY_SERVICE, Facility.LIBRARY, Facility.CULTURE_ROOM],
        guiding_departments=[
            Department.PUBLICITY,
            Department.ORGANIZATION,
            Department.FINANCE,
            Department.CIVIL_AFFAIRS,
            Department.CULTURE_TOURISM,
            Department.HUMAN_RESOURCES,
        ],
    )
    _venues(rng, center, 5)

    institutes = {}
    for t in townships:
        title = "街道党工委书记（所长）" if t.name.endswith("街道") else "乡镇党委书记（所长）"
        lat, lng = _jitter(rng, t.latitude, t.longitude, 0.3)
        site = _site(
            rng,
            name=f"{t.name}新时代文明实践所",
            level=SiteLevel.INSTITUTE,
            region=t,
            parent=center,
            address=f"共青城市{t.name}人民政府旁",
            latitude=lat,
            longitude=lng,
            responsible_title=title,
            facilities=[Facility.PARTY_SERVICE, Facility.CULTURE_ROOM, Facility.SPORTS],
            guiding_departments=[Department.PUBLICITY],
        )
        _venues(rng, site, 3)
        institutes[t.code] = site
    unit_institutes = []
    for unit, dept in UNITS:
        lat, lng = _jitter(rng, city.latitude, city.longitude, 3.0)
        site = _site(
            rng,
            name=f"{unit}新时代文明实践所",
            level=SiteLevel.INSTITUTE,
            region=city,
            parent=center,
            host_unit=unit,
            address=f"共青城市{unit}",
            latitude=lat,
            longitude=lng,
            responsible_title="单位党组（党委）书记",
            guiding_departments=[dept],
        )
        _venues(rng, site, 1)
        unit_institutes.append(site)

    # 69 village/community stations, 60 of them complexes; then 28 unit-hosted stations.
    complex_ids = set(rng.sample(range(len(villages)), 60))
    stations = {}
    for i, v in enumerate(villages):
        is_complex = i in complex_ids
        facilities = rng.sample(
            [
                Facility.BROADCAST_ROOM,
                Facility.WOMENS_HOME,
                Facility.YOUTH_HOME,
                Facility.CHILDRENS_HOME,
                Facility.MILITIA_HOME,
                Facility.LIBRARY,
                Facility.ELDERLY_HOME,
            ],
            rng.randint(2, 5),
        )
        if is_complex:
            facilities = [Facility.PARTY_SERVICE, *facilities]
        lat, lng = _jitter(rng, v.latitude, v.longitude, 0.2)
        site = _site(
            rng,
            name=f"{v.short_name}新时代文明实践站",
            level=SiteLevel.STATION,
            region=v,
            parent=institutes[regions[v.parent.code].code],
            is_complex=is_complex,
            address=f"共青城市{v.parent.name}{v.short_name}党群服务中心"
            if is_complex
            else f"共青城市{v.parent.name}{v.short_name}",
            latitude=lat,
            longitude=lng,
            responsible_title="村（社区）党组织书记（站长）",
            facilities=facilities,
        )
        _venues(rng, site, rng.randint(2, 4))
        stations[v.code] = site
    for host, kind in UNIT_STATION_HOSTS:
        t = rng.choice(townships)
        lat, lng = _jitter(rng, t.latitude, t.longitude, 2.5)
        site = _site(
            rng,
            name=f"{host}新时代文明实践站",
            level=SiteLevel.STATION,
            region=t,
            parent=rng.choice(unit_institutes),
            host_unit=host,
            point_kind=kind,
            address=f"共青城市{t.name}{host}",
            latitude=lat,
            longitude=lng,
            responsible_title="单位党支部书记",
        )
        _venues(rng, site, rng.randint(1, 2))

    # Practice points: the report's ancestral hall in 水口村, then points across villages.
    shuikou = regions["360482201200"]
    points = 0
    _site(
        rng,
        name="水口村王氏宗祠新时代文明实践点",
        level=SiteLevel.POINT,
        point_kind=PointKind.ANCESTRAL_HALL,
        region=shuikou,
        parent=stations[shuikou.code],
        address="共青城市苏家垱乡水口村王氏宗祠",
        latitude=shuikou.latitude + 0.004,
        longitude=shuikou.longitude - 0.003,
        responsible_title="村民小组长",
        opening_hours="周末及节假日 08:00-20:00",
    )
    points += 1
    for v in villages:
        for _ in range(rng.choice([0, 1, 1, 2])):
            label, kind = rng.choice(POINT_KINDS)
            name = (
                f"{v.short_name}{rng.choice(SURNAME_HALLS)}氏宗祠"
                if kind == PointKind.ANCESTRAL_HALL
                else f"{v.short_name}{label}"
            )
            lat, lng = _jitter(rng, v.latitude, v.longitude, 1.5)
            if Site.objects.filter(name=f"{name}新时代文明实践点").exists():
                continue
            site = _site(
                rng,
                name=f"{name}新时代文明实践点",
                level=SiteLevel.POINT,
                point_kind=kind,
                region=v,
                parent=stations[v.code],
                address=f"共青城市{v.parent.name}{name}",
                latitude=lat,
                longitude=lng,
                responsible_title="村民小组长/志愿者骨干",
            )
            if rng.random() < 0.5:
                _venues(rng, site, 1)
            points += 1
    ctx.data["regions"] = regions
    ctx.data["center"] = center
    ctx.data["institutes"] = institutes
    ctx.data["stations"] = stations
    ctx.say(
        f"places: {Region.objects.count()} regions, 1 center, "
        f"{Site.objects.filter(level=SiteLevel.INSTITUTE).count()} institutes, "
        f"{Site.objects.filter(level=SiteLevel.STATION).count()} stations "
        f"({Site.objects.filter(is_complex=True).count()} complexes), {points} points"
    )
