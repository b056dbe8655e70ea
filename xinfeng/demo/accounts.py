"""Demo step: one account per role, each scoped where the report's people would be."""

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.places.models import Site

from .context import DemoContext

DEMO_PASSWORD = "xinfeng-demo"

# username, display name, phone, role, region code, note
DEMO_ACCOUNTS = [
    ("resident", "王秀兰", "13800000001", Role.RESIDENT, "360482201200", "群众 · 苏家垱乡水口村"),
    ("volunteer", "李志强", "13800000002", Role.VOLUNTEER, "360482201200", "志愿者 · 水口村"),
    (
        "teamleader",
        "陈建国",
        "13800000003",
        Role.TEAM_LEADER,
        "360482000000",
        "队长 · 市志愿服务总队",
    ),
    (
        "station",
        "刘芳",
        "13800000004",
        Role.STATION_OPERATOR,
        "360482201200",
        "实践站管理员 · 水口村",
    ),
    (
        "institute",
        "张伟",
        "13800000005",
        Role.INSTITUTE_ADMIN,
        "360482201000",
        "实践所管理员 · 苏家垱乡",
    ),
    (
        "center",
        "周敏",
        "13800000006",
        Role.CENTER_ADMIN,
        "360482000000",
        "实践中心管理员 · 共青城市",
    ),
    ("leader", "黄书记", "13800000007", Role.LEADER, "360482000000", "领导（只读看板）· 共青城市"),
    ("admin", "系统管理员", "13800000008", Role.SYSTEM_ADMIN, "360482000000", "系统管理员"),
]


def generate(ctx: DemoContext) -> None:
    regions = ctx.data["regions"]
    users = {}
    for username, name, phone, role, code, _note in DEMO_ACCOUNTS:
        user = User(username=username, display_name=name, phone=phone, home_region=regions[code])
        if role == Role.SYSTEM_ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.create(user=user, role=role, region=regions[code])
        users[username] = user
    station = ctx.data["stations"]["360482201200"]
    station.operators.add(users["station"])
    Site.objects.filter(pk=station.pk).update(responsible_user=users["station"])
    ctx.data["users"] = users
    ctx.say(f"accounts: {len(users)} demo accounts (password {DEMO_PASSWORD})")
