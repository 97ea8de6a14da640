"""The outbox and the projection's counters, taken over from the catalog app with their rows:
the tables are renamed, never recreated, so changes still pending survive the upgrade."""

from django.db import migrations, models

RENAME_TABLES = (
    "RENAME TABLE catalog_outboxentry TO projection_outboxentry, "
    "catalog_projectionstat TO projection_projectionstat"
)
RENAME_TABLES_BACK = (
    "RENAME TABLE projection_outboxentry TO catalog_outboxentry, "
    "projection_projectionstat TO catalog_projectionstat"
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0002_projection_stats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(RENAME_TABLES, RENAME_TABLES_BACK),
                migrations.RunSQL(
                    "ALTER TABLE projection_outboxentry "
                    "RENAME INDEX catalog_out_state_330cc3_idx TO outbox_state_available_idx",
                    "ALTER TABLE catalog_outboxentry "
                    "RENAME INDEX outbox_state_available_idx TO catalog_out_state_330cc3_idx",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="OutboxEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("product_id", models.BigIntegerField(db_index=True)),
                        ("version", models.PositiveBigIntegerField()),
                        (
                            "state",
                            models.CharField(
                                choices=[("pending", "Pending"), ("done", "Done"), ("dead", "Dead")],
                                default="pending",
                                max_length=8,
                            ),
                        ),
                        ("committed_at", models.DateTimeField()),
                        ("available_at", models.DateTimeField()),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True, default="")),
                        ("processed_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name_plural": "outbox entries",
                        "indexes": [
                            models.Index(fields=["state", "available_at"], name="outbox_state_available_idx")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ProjectionStat",
                    fields=[
                        ("name", models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ("value", models.FloatField(default=0)),
                    ],
                ),
            ],
        ),
    ]
