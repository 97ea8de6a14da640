"""Idempotency keys compare as byte strings (utf8mb4_bin), no longer case- or accent-insensitively."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_product_variants")]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="key",
            field=models.CharField(db_collation="utf8mb4_bin", max_length=255),
        ),
    ]
