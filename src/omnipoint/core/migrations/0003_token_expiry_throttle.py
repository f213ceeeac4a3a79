# Tokens expire and die with a password change; sign-in throttle counters.

import django.utils.timezone
from django.db import migrations, models


def forget_issued_tokens(apps, schema_editor):
    """Tokens issued before this never expired and survived password changes: revoke them all.
    The answers of /auth/token and /members/login kept for Idempotency-Key replays hold a token
    in clear: delete them (such answers are no longer kept)."""
    apps.get_model("core", "ApiToken").objects.all().delete()
    Record = apps.get_model("core", "IdempotencyRecord")
    Record.objects.filter(path__endswith="/auth/token").delete()
    Record.objects.filter(path__endswith="/members/login").delete()
    Record.objects.filter(path__endswith="/members/login/code").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_idempotencyrecord"),
    ]

    operations = [
        migrations.RunPython(forget_issued_tokens, migrations.RunPython.noop),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_mark",
            field=models.CharField(default="", max_length=128),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="ThrottleCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=100)),
                ("window", models.BigIntegerField()),
                ("count", models.PositiveIntegerField(default=0)),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("key", "window"), name="throttle_key_window")
                ],
            },
        ),
    ]
