from django.conf import settings
from django.db import migrations, models


def classify(apps, schema_editor):
    """Holds made through the API carry their staff member; orders' holds carry none."""
    Reservation = apps.get_model("inventory", "Reservation")
    Reservation.objects.filter(actor__isnull=False).update(owner_kind="staff")
    Reservation.objects.filter(actor__isnull=True, owner_ref__startswith="order:").update(owner_kind="order")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_stocklevel_coordinates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reservation",
            name="owner_kind",
            field=models.CharField(
                choices=[("staff", "Staff"), ("order", "Order"), ("system", "System")],
                default="system",
                max_length=10,
            ),
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reservation",
            name="owner_ref",
            field=models.CharField(max_length=80),
        ),
        migrations.AddConstraint(
            model_name="reservation",
            constraint=models.UniqueConstraint(fields=("owner_kind", "owner_ref"), name="reservation_owner"),
        ),
    ]
