"""A staff refund given no reason was stored with the English word "refund"; it is now blank,
and the console names it in the reader's language."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("payments", "Refund").objects.filter(reason="refund", actor_id__isnull=False).update(reason="")


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_order_id_without_fk")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
