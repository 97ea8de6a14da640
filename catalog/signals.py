"""Signal receivers that write the outbox inside the committing transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import outbox
from .models import Brand, Category, Product


@receiver(post_save, sender=Product, dispatch_uid="outbox-product-saved")
def product_saved(sender, instance: Product, **kwargs) -> None:
    outbox.record_product_change(product_id=instance.pk, version=instance.version)


@receiver(post_delete, sender=Product, dispatch_uid="outbox-product-deleted")
def product_deleted(sender, instance: Product, **kwargs) -> None:
    outbox.record_product_deletion(product=instance)


@receiver(post_save, sender=Brand, dispatch_uid="outbox-brand-saved")
def brand_saved(sender, instance: Brand, created: bool, **kwargs) -> None:
    if not created:
        outbox.record_brand_change(brand=instance)


@receiver(post_save, sender=Category, dispatch_uid="outbox-category-saved")
def category_saved(sender, instance: Category, created: bool, **kwargs) -> None:
    if not created:
        outbox.record_category_change(category=instance)
