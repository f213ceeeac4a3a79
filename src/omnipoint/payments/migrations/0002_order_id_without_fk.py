"""Payments keep their rows by the order's id, without a foreign key to orders (which sit above
them): each column keeps its name and its values, only the constraint goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="order",
            field=models.BigIntegerField(db_column="order_id"),
        ),
        migrations.RenameField(model_name="payment", old_name="order", new_name="order_id"),
        # The same index on the same columns, named by the field that will hold them.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="payment", name="payment_order_state"),
                migrations.AddIndex(
                    model_name="payment",
                    index=models.Index(fields=["order_id", "state"], name="payment_order_state"),
                ),
            ]
        ),
        migrations.AlterField(
            model_name="payment",
            name="order_id",
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name="orderbalance",
            name="order",
            field=models.BigIntegerField(db_column="order_id", primary_key=True, serialize=False),
        ),
        migrations.RenameField(model_name="orderbalance", old_name="order", new_name="order_id"),
        migrations.AlterField(
            model_name="orderbalance",
            name="order_id",
            field=models.BigIntegerField(primary_key=True, serialize=False),
        ),
    ]
