# The combining table of group commit (core.combining): UNLOGGED on PostgreSQL, as its rows are
# only ever in flight (a crash ends every waiting caller's connection too).

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_combinerequest SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_token_expiry_throttle"),
    ]

    operations = [
        migrations.CreateModel(
            name="CombineRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("lane", models.BigIntegerField()),
                ("payload", models.JSONField()),
                ("done", models.BooleanField(default=False)),
                ("result", models.JSONField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "lane", "id"], name="combine_lane")],
            },
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
