"""The catalogue's shape: categories, suppliers, and what a product is made of."""

from dataclasses import dataclass, field

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
    kind: str = "goods"
    # Variant axes: each SKU is one combination; the n-th value of an axis adds n * step to the price.
    axes: dict[str, list[str]] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)
