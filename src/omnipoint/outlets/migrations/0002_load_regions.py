from django.db import migrations


def load(apps, schema_editor):
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.services import regions_load

    regions_load(actor=SYSTEM, model=apps.get_model("outlets", "Region"))


class Migration(migrations.Migration):
    dependencies = [("outlets", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
