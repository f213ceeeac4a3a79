"""Stationery and stamps, services and virtual items."""

from omnipoint.demo.data.catalogue import ProductSpec


def stationery() -> list[ProductSpec]:
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


def services_and_virtual() -> list[ProductSpec]:
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
