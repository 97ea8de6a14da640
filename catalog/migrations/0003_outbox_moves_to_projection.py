"""The outbox and the projection's counters now belong to the projection app; its migration
renames the tables, so no pending change is lost. Here they only leave the catalog's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_projection_stats"),
        ("projection", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OutboxEntry"),
                migrations.DeleteModel(name="ProjectionStat"),
            ]
        ),
    ]
