"""Appliances and 3C accessories."""

from omnipoint.demo.data.catalogue import ProductSpec


def appliances() -> list[ProductSpec]:
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


def accessories() -> list[ProductSpec]:
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
