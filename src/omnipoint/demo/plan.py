"""What the demo is made of: its personas and their password, the outlets that mark it, and
the sizes of network it can build."""

from dataclasses import dataclass

from omnipoint.outlets.domain import Role

DEMO_PASSWORD = "omnipoint"
DEMO_SEED = 20250101
# The first outlet the loader writes: its presence means the demo is already loaded.
DEMO_MARKER_OUTLET = "SH-310115-01"
PERSONA_OUTLET = DEMO_MARKER_OUTLET  # 浦东新区陆家嘴邮政营业所, a pickup point
OTHER_CITY_OUTLET = "JS-320102-01"  # 玄武区新街口邮政营业所, Nanjing
OPENING_REFERENCE = "demo opening stock"
BATCH = 2000


@dataclass(frozen=True)
class DemoPersona:
    username: str
    role: str
    display_name: str
    region_code: str = ""
    outlet_code: str = ""


PERSONAS = [
    DemoPersona("hq_admin", Role.HQ_ADMIN, "总部管理员 王总"),
    DemoPersona("province_manager", Role.PROVINCE_MANAGER, "上海省分经理 李经理", region_code="310000"),
    DemoPersona("city_manager", Role.CITY_MANAGER, "上海市分经理 张经理", region_code="310100"),
    DemoPersona("district_manager", Role.DISTRICT_MANAGER, "浦东区分经理 刘经理", region_code="310115"),
    DemoPersona("outlet_manager", Role.OUTLET_MANAGER, "陆家嘴所主任 陈主任", outlet_code=PERSONA_OUTLET),
    DemoPersona("outlet_clerk", Role.OUTLET_CLERK, "营业员 赵小红", outlet_code=PERSONA_OUTLET),
    DemoPersona("salesperson", Role.SALESPERSON, "导购 孙小明", outlet_code=PERSONA_OUTLET),
    DemoPersona("other_city_clerk", Role.OUTLET_CLERK, "南京营业员 周小丽", outlet_code=OTHER_CITY_OUTLET),
]
SUPERUSER = "admin"


@dataclass(frozen=True)
class DemoSize:
    """How big a network to build. ``full`` is the demo; ``small`` keeps every kind of row."""

    shanghai_outlets: dict[str, int]  # per district: "pudong", "central", "outer", "other"
    jiangsu_outlets: dict[str, int]  # per district: "urban" (区), "county" (县, 县级市)
    jiangsu_cities: int  # how many cities of Jiangsu get outlets (in code order)
    variants_per_product: int  # 0: all


SIZES = {
    "full": DemoSize(
        shanghai_outlets={"pudong": 14, "central": 6, "outer": 4, "other": 5},
        jiangsu_outlets={"urban": 3, "county": 2},
        jiangsu_cities=13,
        variants_per_product=0,
    ),
    "small": DemoSize(
        shanghai_outlets={"pudong": 3, "central": 1, "outer": 1, "other": 1},
        jiangsu_outlets={"urban": 1, "county": 1},
        jiangsu_cities=2,
        variants_per_product=2,
    ),
}
