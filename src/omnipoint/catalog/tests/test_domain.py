"""Pure catalogue rules, without a database."""

from omnipoint.catalog.domain import variant_label


def test_a_variant_reads_in_the_stated_axis_order_whatever_the_key_order() -> None:
    assert variant_label({"size": "1匹", "colour": "白"}) == "白 / 1匹"
    assert variant_label({"colour": "白", "size": "1匹"}) == "白 / 1匹"
    assert variant_label({"size": "A5", "style": "横线", "finish": "哑光"}) == "横线 / A5 / 哑光"
    assert variant_label({}) == ""
