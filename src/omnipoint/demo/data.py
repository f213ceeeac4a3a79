"""The demo catalogue and place names. Plain data: services.py turns it into rows."""

from dataclasses import dataclass, field

# --- places ----------------------------------------------------------------------------------

# Well-known neighbourhoods, so that outlet names read like real ones; other districts fall back
# to the common street names every Chinese town has.
PLACES: dict[str, list[str]] = {
    "310101": ["南京东路", "外滩", "豫园", "打浦桥", "淮海中路", "老西门"],
    "310104": ["徐家汇", "漕河泾", "龙华", "田林", "康健", "华泾"],
    "310105": ["中山公园", "虹桥", "天山", "仙霞", "北新泾", "新华路"],
    "310106": ["静安寺", "南京西路", "大宁", "彭浦", "江宁路", "曹家渡"],
    "310107": ["长风", "真如", "曹杨", "桃浦", "万里", "长寿路"],
    "310109": ["四川北路", "北外滩", "凉城", "江湾", "曲阳", "嘉兴路"],
    "310110": ["五角场", "控江", "新江湾城", "平凉", "殷行", "长白"],
    "310112": ["莘庄", "七宝", "颛桥", "梅陇", "吴泾", "马桥"],
    "310113": ["大场", "顾村", "淞南", "罗店", "月浦", "杨行"],
    "310114": ["安亭", "南翔", "江桥", "马陆", "菊园", "外冈"],
    "310115": [
        "陆家嘴",
        "张江",
        "金桥",
        "川沙",
        "外高桥",
        "世纪公园",
        "惠南",
        "周浦",
        "三林",
        "花木",
        "洋泾",
        "塘桥",
        "北蔡",
        "高桥",
    ],
    "310116": ["朱泾", "枫泾", "石化", "亭林", "张堰", "山阳"],
    "310117": ["九亭", "泗泾", "佘山", "洞泾", "车墩", "方松"],
    "310118": ["朱家角", "徐泾", "赵巷", "华新", "白鹤", "练塘"],
    "310120": ["南桥", "庄行", "柘林", "奉城", "金汇", "海湾"],
    "310151": ["城桥", "堡镇", "陈家镇", "新河", "庙镇", "长兴"],
    "320102": ["新街口", "玄武湖", "孝陵卫", "珠江路", "锁金村", "红山"],
    "320104": ["夫子庙", "中华门", "大光路", "五老村"],
    "320105": ["河西", "南湖", "兴隆", "莫愁湖"],
    "320106": ["湖南路", "宁海路", "挹江门", "热河南路"],
    "320115": ["东山", "百家湖", "九龙湖", "秣陵"],
    "320505": ["狮山", "枫桥", "浒墅关", "横塘"],
    "320506": ["木渎", "甪直", "越溪", "胥口"],
    "320508": ["观前街", "平江路", "石路", "山塘"],
    "320213": ["崇安寺", "南禅寺", "清名桥", "广益"],
}
STREETS = ["人民路", "中山路", "解放路", "建设路", "新华路", "文化路", "和平路", "长江路", "青年路", "健康路"]
VILLAGES = ["城东", "新集", "东湖", "白马", "桥头", "三河", "柳堡", "沙河", "临湖", "杨庄", "花园", "大桥"]

# (district code, name): the "cloud warehouses" that stock every SKU.
WAREHOUSES = [
    ("310115", "上海浦东云仓"),
    ("310114", "上海嘉定云仓"),
    ("320115", "南京江宁云仓"),
    ("320506", "苏州吴中云仓"),
    ("320311", "徐州泉山云仓"),
]

# Central Shanghai districts get a denser network than the suburbs.
SHANGHAI_CENTRAL = {"310101", "310104", "310105", "310106", "310107", "310109", "310110"}
SHANGHAI_OUTER = {"310116", "310117", "310118", "310120", "310151"}

OPENING_HOURS = {
    "post_office": "08:30-17:30",
    "self_operated": "09:00-21:00",
    "franchise": "09:00-22:00",
    "agent_point": "08:00-20:00",
    "rural_point": "08:00-18:00",
    "experience": "10:00-22:00",
    "warehouse": "00:00-24:00",
}

# --- catalogue -------------------------------------------------------------------------------

CATEGORIES: list[tuple[str, str, str, str | None]] = [
    # code, name, name_en, parent code
    ("appliances", "家电", "Appliances", None),
    ("air-conditioners", "空调", "Air conditioners", "appliances"),
    ("fridges", "冰箱", "Refrigerators", "appliances"),
    ("washers", "洗衣机", "Washing machines", "appliances"),
    ("tvs", "电视", "Televisions", "appliances"),
    ("3c", "3C配件", "3C accessories", None),
    ("agri", "农产品", "Agricultural products", None),
    ("imported", "进口商品", "Imported goods", None),
    ("stationery", "文具邮品", "Stationery and stamps", None),
    ("services", "服务", "Services", None),
    ("virtual", "虚拟商品", "Virtual items", None),
]

# Suppliers: the concession (联营) ones keep ownership of goods displayed in our stores.
SUPPLIERS: list[tuple[str, bool]] = [
    ("格力电器（联营）", True),
    ("海尔智家（联营）", True),
    ("美的集团（联营）", True),
    ("苏宁易购供应链", False),
    ("中国邮政集邮总公司", False),
    ("阳澄湖大闸蟹合作社", False),
    ("五常市稻米合作社", False),
    ("赣南脐橙产业联盟", False),
    ("中邮跨境进口贸易", False),
    ("深圳数码配件批发", False),
    ("晨光文具", False),
    ("中国移动江苏公司", False),
]


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    name_en: str
    category: str
    price: int  # fen, for the first variant
    brand: str = ""
    supplier: str = ""
    kind: str = "physical"
    # Variant axes: each SKU is one combination; the n-th value of an axis adds n * step to the price.
    axes: dict[str, list[str]] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)


def _appliances() -> list[ProductSpec]:
    specs: list[ProductSpec] = []
    ac_series = {
        "格力": [("云佳", "Yunjia"), ("天仪", "Tianyi")],
        "美的": [("酷省电", "Cool Saver"), ("风尊", "Fengzun")],
        "海尔": [("静悦", "Jingyue"), ("雷神者", "Thor")],
        "奥克斯": [("京裕", "Jingyu"), ("倾城", "Qingcheng")],
    }
    supplier_of = {"格力": "格力电器（联营）", "海尔": "海尔智家（联营）", "美的": "美的集团（联营）"}
    brand_en = {"格力": "Gree", "美的": "Midea", "海尔": "Haier", "奥克斯": "AUX", "西门子": "Siemens"}
    brand_en |= {"容声": "Ronshen", "小天鹅": "Little Swan", "松下": "Panasonic", "海信": "Hisense"}
    brand_en |= {"TCL": "TCL", "小米": "Xiaomi", "索尼": "Sony"}
    for i, (brand, series) in enumerate(ac_series.items()):
        for j, (s, s_en) in enumerate(series):
            specs.append(
                ProductSpec(
                    code=f"AC-{i}{j}",
                    name=f"{brand}{s}变频空调",
                    name_en=f"{brand_en[brand]} {s_en} inverter air conditioner",
                    category="air-conditioners",
                    brand=brand,
                    supplier=supplier_of.get(brand, "苏宁易购供应链"),
                    price=2599_00 + 300_00 * j + 100_00 * i,
                    axes={"size": ["1匹", "1.5匹", "2匹"], "colour": ["白", "金"]},
                    steps={"size": 700_00, "colour": 100_00},
                )
            )
    fridge_series = {
        "海尔": [("统帅", "Leader"), ("博观", "Boguan")],
        "美的": [("微晶", "Microcrystal"), ("M60", "M60")],
        "西门子": [("零度保鲜", "Zero-degree"), ("灰阶", "Greyscale")],
        "容声": [("WILL", "WILL"), ("蓝光", "Blue-light")],
    }
    for i, (brand, series) in enumerate(fridge_series.items()):
        for j, (s, s_en) in enumerate(series):
            specs.append(
                ProductSpec(
                    code=f"FR-{i}{j}",
                    name=f"{brand}{s}冰箱",
                    name_en=f"{brand_en[brand]} {s_en} refrigerator",
                    category="fridges",
                    brand=brand,
                    supplier=supplier_of.get(brand, "苏宁易购供应链"),
                    price=1899_00 + 400_00 * j + 200_00 * i,
                    axes={"capacity": ["218L", "315L", "470L"], "colour": ["银", "星空灰"]},
                    steps={"capacity": 900_00, "colour": 150_00},
                )
            )
    washer_series = {
        "海尔": [("滚筒", "front-load"), ("波轮", "top-load")],
        "小天鹅": [("滚筒", "front-load"), ("波轮", "top-load")],
        "西门子": [("滚筒", "front-load"), ("洗烘一体", "washer-dryer")],
        "松下": [("滚筒", "front-load"), ("洗烘一体", "washer-dryer")],
    }
    for i, (brand, series) in enumerate(washer_series.items()):
        for j, (s, s_en) in enumerate(series):
            specs.append(
                ProductSpec(
                    code=f"WM-{i}{j}",
                    name=f"{brand}{s}洗衣机",
                    name_en=f"{brand_en[brand]} {s_en} washing machine",
                    category="washers",
                    brand=brand,
                    supplier=supplier_of.get(brand, "苏宁易购供应链"),
                    price=1499_00 + 500_00 * j + 150_00 * i,
                    axes={"capacity": ["8kg", "10kg", "12kg"], "colour": ["白", "银"]},
                    steps={"capacity": 600_00, "colour": 100_00},
                )
            )
    for i, brand in enumerate(["海信", "TCL", "小米", "索尼"]):
        specs.append(
            ProductSpec(
                code=f"TV-{i}",
                name=f"{brand}4K智能电视",
                name_en=f"{brand_en[brand]} 4K smart TV",
                category="tvs",
                brand=brand,
                supplier="苏宁易购供应链",
                price=2299_00 + 500_00 * i,
                axes={"size": ["55英寸", "65英寸", "75英寸", "85英寸"]},
                steps={"size": 1500_00},
            )
        )
    return specs


def _accessories() -> list[ProductSpec]:
    s = "深圳数码配件批发"
    return [
        ProductSpec(
            "CB-UC",
            "USB-C数据线",
            "USB-C cable",
            "3c",
            19_00,
            "绿联",
            s,
            axes={"length": ["1m", "2m"], "colour": ["白", "黑"]},
            steps={"length": 10_00},
        ),
        ProductSpec(
            "CB-LT",
            "Lightning数据线",
            "Lightning cable",
            "3c",
            29_00,
            "倍思",
            s,
            axes={"length": ["1m", "2m"], "colour": ["白", "黑"]},
            steps={"length": 10_00},
        ),
        ProductSpec(
            "CH-GAN",
            "氮化镓快充充电器",
            "GaN fast charger",
            "3c",
            69_00,
            "安克",
            s,
            axes={"power": ["20W", "33W", "65W", "100W"], "colour": ["白", "黑"]},
            steps={"power": 30_00},
        ),
        ProductSpec(
            "PB",
            "充电宝",
            "Power bank",
            "3c",
            99_00,
            "小米",
            s,
            axes={"capacity": ["10000mAh", "20000mAh"], "colour": ["白", "黑", "粉"]},
            steps={"capacity": 50_00},
        ),
        ProductSpec(
            "EB",
            "蓝牙耳机",
            "Bluetooth earbuds",
            "3c",
            199_00,
            "华为",
            s,
            axes={"model": ["FreeBuds SE", "FreeBuds 5i", "FreeBuds Pro"], "colour": ["白", "黑", "蓝"]},
            steps={"model": 300_00},
        ),
        ProductSpec(
            "CASE",
            "手机保护壳",
            "Phone case",
            "3c",
            39_00,
            "倍思",
            s,
            axes={"model": ["iPhone 15", "iPhone 16", "Mate 60", "小米14"], "colour": ["透明", "黑", "蓝"]},
        ),
        ProductSpec(
            "FILM",
            "钢化膜",
            "Tempered glass screen protector",
            "3c",
            29_00,
            "绿联",
            s,
            axes={"model": ["iPhone 15", "iPhone 16", "Mate 60", "小米14"]},
        ),
        ProductSpec(
            "MOUSE",
            "无线鼠标",
            "Wireless mouse",
            "3c",
            79_00,
            "罗技",
            s,
            axes={"colour": ["黑", "白", "粉"]},
        ),
        ProductSpec(
            "KB",
            "蓝牙键盘",
            "Bluetooth keyboard",
            "3c",
            199_00,
            "罗技",
            s,
            axes={"layout": ["84键", "104键"], "colour": ["黑", "白"]},
            steps={"layout": 50_00},
        ),
        ProductSpec(
            "SD",
            "存储卡",
            "Memory card",
            "3c",
            49_00,
            "闪迪",
            s,
            axes={"capacity": ["64GB", "128GB", "256GB", "512GB"]},
            steps={"capacity": 40_00},
        ),
    ]


def _agri() -> list[ProductSpec]:
    return [
        ProductSpec(
            "CRAB",
            "阳澄湖大闸蟹礼盒",
            "Yangcheng Lake hairy crab gift box",
            "agri",
            398_00,
            "阳澄湖",
            "阳澄湖大闸蟹合作社",
            axes={"spec": ["公3.5两母2.5两", "公4两母3两", "公5两母3.5两"], "count": ["8只", "10只"]},
            steps={"spec": 200_00, "count": 100_00},
        ),
        ProductSpec(
            "RICE-WC",
            "五常大米",
            "Wuchang rice",
            "agri",
            69_00,
            "五常",
            "五常市稻米合作社",
            axes={"weight": ["2.5kg", "5kg", "10kg"]},
            steps={"weight": 60_00},
        ),
        ProductSpec(
            "ORANGE-GN",
            "赣南脐橙",
            "Gannan navel orange",
            "agri",
            39_00,
            "赣南",
            "赣南脐橙产业联盟",
            axes={"weight": ["5斤", "10斤"], "grade": ["中果", "大果"]},
            steps={"weight": 35_00, "grade": 15_00},
        ),
        ProductSpec(
            "CRAYFISH",
            "盱眙龙虾",
            "Xuyi crayfish",
            "agri",
            128_00,
            "盱眙",
            axes={"weight": ["1kg", "2kg"], "flavour": ["十三香", "蒜蓉", "麻辣"]},
            steps={"weight": 110_00},
        ),
        ProductSpec(
            "TEA-LJ",
            "西湖龙井",
            "West Lake Longjing tea",
            "agri",
            298_00,
            "狮峰",
            axes={"weight": ["125g", "250g"], "grade": ["明前", "雨前"]},
            steps={"weight": 280_00, "grade": -80_00},
        ),
        ProductSpec(
            "APPLE-AKS",
            "阿克苏冰糖心苹果",
            "Aksu apple",
            "agri",
            49_00,
            axes={"weight": ["5斤", "10斤"]},
            steps={"weight": 40_00},
        ),
        ProductSpec(
            "DUCKEGG",
            "高邮咸鸭蛋",
            "Gaoyou salted duck eggs",
            "agri",
            39_00,
            "高邮",
            axes={"count": ["10枚", "20枚"], "style": ["红心", "双黄"]},
            steps={"count": 30_00, "style": 20_00},
        ),
        ProductSpec(
            "VINEGAR",
            "镇江香醋",
            "Zhenjiang vinegar",
            "agri",
            15_00,
            "恒顺",
            axes={"volume": ["500ml", "1L"], "aged": ["3年", "6年"]},
            steps={"volume": 10_00, "aged": 20_00},
        ),
        ProductSpec(
            "PEACH-NH",
            "南汇水蜜桃",
            "Nanhui peaches",
            "agri",
            88_00,
            axes={"count": ["6只", "12只"]},
            steps={"count": 70_00},
        ),
        ProductSpec(
            "RICE-CM",
            "崇明大米",
            "Chongming rice",
            "agri",
            45_00,
            axes={"weight": ["2.5kg", "5kg"]},
            steps={"weight": 40_00},
        ),
        ProductSpec(
            "GOJI",
            "宁夏枸杞",
            "Ningxia goji berries",
            "agri",
            59_00,
            axes={"weight": ["250g", "500g"]},
            steps={"weight": 50_00},
        ),
        ProductSpec(
            "FUNGUS",
            "东北黑木耳",
            "Northeast black fungus",
            "agri",
            35_00,
            axes={"weight": ["250g", "500g"]},
            steps={"weight": 30_00},
        ),
    ]


def _imported() -> list[ProductSpec]:
    s = "中邮跨境进口贸易"
    return [
        ProductSpec(
            "IMP-STEAK",
            "澳洲谷饲牛排",
            "Australian grain-fed steak",
            "imported",
            159_00,
            supplier=s,
            axes={"cut": ["西冷", "眼肉", "菲力"], "weight": ["1kg", "2kg"]},
            steps={"cut": 30_00, "weight": 140_00},
        ),
        ProductSpec(
            "IMP-CHERRY",
            "智利车厘子",
            "Chilean cherries",
            "imported",
            199_00,
            supplier=s,
            axes={"grade": ["J", "JJ", "JJJ"], "weight": ["2.5kg", "5kg"]},
            steps={"grade": 60_00, "weight": 180_00},
        ),
        ProductSpec(
            "IMP-WINE",
            "法国波尔多红酒",
            "Bordeaux red wine",
            "imported",
            128_00,
            supplier=s,
            axes={"vintage": ["2018", "2019", "2020"], "pack": ["单支", "6支箱"]},
            steps={"vintage": -10_00, "pack": 600_00},
        ),
        ProductSpec(
            "IMP-MILK",
            "新西兰婴幼儿奶粉",
            "New Zealand infant formula",
            "imported",
            268_00,
            "a2",
            s,
            axes={"stage": ["1段", "2段", "3段"]},
            steps={"stage": -10_00},
        ),
        ProductSpec(
            "IMP-OLIVE",
            "意大利特级初榨橄榄油",
            "Italian extra virgin olive oil",
            "imported",
            89_00,
            supplier=s,
            axes={"volume": ["500ml", "1L"]},
            steps={"volume": 70_00},
        ),
        ProductSpec(
            "IMP-CHOC",
            "瑞士黑巧克力",
            "Swiss dark chocolate",
            "imported",
            39_00,
            "瑞士莲",
            s,
            axes={"cocoa": ["70%", "85%", "90%"], "pack": ["单块", "5块装"]},
            steps={"pack": 150_00},
        ),
        ProductSpec(
            "IMP-SALMON",
            "挪威冰鲜三文鱼",
            "Norwegian chilled salmon",
            "imported",
            129_00,
            supplier=s,
            axes={"weight": ["500g", "1kg"]},
            steps={"weight": 110_00},
        ),
        ProductSpec(
            "IMP-RICE",
            "泰国茉莉香米",
            "Thai jasmine rice",
            "imported",
            59_00,
            supplier=s,
            axes={"weight": ["5kg", "10kg"]},
            steps={"weight": 50_00},
        ),
        ProductSpec(
            "IMP-MASK",
            "韩国补水面膜",
            "Korean hydrating face masks",
            "imported",
            99_00,
            supplier=s,
            axes={"pack": ["10片", "30片"]},
            steps={"pack": 160_00},
        ),
        ProductSpec(
            "IMP-BEER",
            "德国小麦啤酒",
            "German wheat beer",
            "imported",
            99_00,
            supplier=s,
            axes={"pack": ["6听", "24听"], "style": ["白啤", "黑啤"]},
            steps={"pack": 280_00, "style": 20_00},
        ),
    ]


def _stationery() -> list[ProductSpec]:
    s = "中国邮政集邮总公司"
    return [
        ProductSpec(
            "STAMP-ZX",
            "生肖邮票",
            "Chinese zodiac stamps",
            "stationery",
            1_20,
            "中国邮政",
            s,
            axes={"year": ["甲辰龙年", "乙巳蛇年", "丙午马年"], "format": ["单枚", "小版张", "整版"]},
            steps={"format": 30_00},
        ),
        ProductSpec(
            "POSTCARD",
            "城市风光明信片",
            "City postcards",
            "stationery",
            15_00,
            "中国邮政",
            s,
            axes={"city": ["上海", "南京", "苏州", "扬州"], "pack": ["10张", "20张"]},
            steps={"pack": 12_00},
        ),
        ProductSpec(
            "ALBUM",
            "年度邮票册",
            "Annual stamp album",
            "stationery",
            388_00,
            "中国邮政",
            s,
            axes={"year": ["2023", "2024", "2025"]},
            steps={"year": 20_00},
        ),
        ProductSpec(
            "COVER",
            "纪念封",
            "Commemorative cover",
            "stationery",
            10_00,
            "中国邮政",
            s,
            axes={"theme": ["中秋", "春节", "国庆", "航天"]},
        ),
        ProductSpec(
            "PEN",
            "中性笔",
            "Gel pen",
            "stationery",
            2_50,
            "晨光",
            "晨光文具",
            axes={"tip": ["0.38mm", "0.5mm"], "colour": ["黑", "蓝", "红"], "pack": ["单支", "12支"]},
            steps={"pack": 20_00},
        ),
        ProductSpec(
            "NOTEBOOK",
            "记事本",
            "Notebook",
            "stationery",
            12_00,
            "晨光",
            "晨光文具",
            axes={"size": ["A5", "B5"], "style": ["横线", "方格"]},
            steps={"size": 3_00},
        ),
        ProductSpec(
            "ENVELOPE",
            "标准信封",
            "Standard envelopes",
            "stationery",
            5_00,
            "中国邮政",
            s,
            axes={"size": ["5号", "6号", "9号"]},
            steps={"size": 2_00},
        ),
    ]


def _services_and_virtual() -> list[ProductSpec]:
    return [
        ProductSpec(
            "SVC-AC-INSTALL",
            "空调安装服务",
            "Air conditioner installation",
            "services",
            150_00,
            kind="service",
            axes={"type": ["挂机", "柜机"]},
            steps={"type": 100_00},
        ),
        ProductSpec(
            "SVC-WM-INSTALL",
            "洗衣机安装服务",
            "Washing machine installation",
            "services",
            50_00,
            kind="service",
        ),
        ProductSpec(
            "TOPUP",
            "手机话费充值",
            "Mobile top-up",
            "virtual",
            50_00,
            "中国移动",
            "中国移动江苏公司",
            kind="virtual",
            axes={"amount": ["50元", "100元", "150元"]},
            steps={"amount": 50_00},
        ),
    ]


def products() -> list[ProductSpec]:
    return _appliances() + _accessories() + _agri() + _imported() + _stationery() + _services_and_virtual()
