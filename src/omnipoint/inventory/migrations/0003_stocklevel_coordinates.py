"""Copy each location's coordinates onto its stock rows, indexed (sku, lat, lng), for "where is it"."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    StockLevel = apps.get_model("inventory", "StockLevel")
    Outlet = apps.get_model("outlets", "Outlet")
    outlet = Outlet.objects.filter(pk=OuterRef("location_id"))
    StockLevel.objects.update(lat=Subquery(outlet.values("lat")[:1]), lng=Subquery(outlet.values("lng")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_stocklevel_drop_single_column_indexes"),
        ("outlets", "0002_load_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="stocklevel",
            name="lat",
            field=models.FloatField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stocklevel",
            name="lng",
            field=models.FloatField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="stocklevel",
            index=models.Index(fields=["sku", "lat", "lng"], name="stock_sku_lat_lng"),
        ),
    ]
