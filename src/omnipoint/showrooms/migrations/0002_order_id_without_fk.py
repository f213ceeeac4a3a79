"""Commissions keep the order's and the return's id, without a foreign key to orders (which sit
above showrooms): each column keeps its name and its values, only the constraint goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("showrooms", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="commissionaccrual",
            name="order",
            field=models.BigIntegerField(db_column="order_id", unique=True),
        ),
        migrations.RenameField(model_name="commissionaccrual", old_name="order", new_name="order_id"),
        migrations.AlterField(
            model_name="commissionaccrual",
            name="order_id",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="commissionreversal",
            name="order_return",
            field=models.BigIntegerField(db_column="order_return_id", unique=True),
        ),
        migrations.RenameField(
            model_name="commissionreversal", old_name="order_return", new_name="order_return_id"
        ),
        migrations.AlterField(
            model_name="commissionreversal",
            name="order_return_id",
            field=models.BigIntegerField(unique=True),
        ),
    ]
