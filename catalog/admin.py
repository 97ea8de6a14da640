"""Django admin for catalog staff. Every save and delete goes through `catalog.services`, so
versions, validation and the projection behave exactly as through the API. (The projection app
adds what the search index holds to the product pages: projection.admin.)"""

import json
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property

from . import attributes, history, services, validators
from .admin_fields import CURRENCY_CHOICES, AttributesField, AutocompleteSelect, ChoiceLabelsField, TagsField
from .exceptions import StillInUse, VersionMismatch
from .models import (
    AttributeDefinition,
    Brand,
    Category,
    MerchandisingRule,
    Product,
    ProductVariant,
    SynonymRule,
)

# The rows the admin changes through commands that take a natural key (see KeyedServiceAdmin).
KeyedModel = Brand | Category | AttributeDefinition | SynonymRule | MerchandisingRule


class EstimatedCountPaginator(Paginator):
    """An unfiltered change list takes InnoDB's row estimate instead of COUNT(*), which scans
    the whole table on every page at 100,000+ products."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT TABLE_ROWS FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
                    [query.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > 10_000:
                return int(row[0])
        return super().count


class VersionCheckedForm(forms.ModelForm):
    """Carries the version the editor loaded, so saving over a newer version is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = type(self.instance).objects.values_list("version", flat=True).get(pk=self.instance.pk)
            if current != loaded:
                raise forms.ValidationError(
                    f"Someone saved version {current} after you opened version {loaded}. "
                    "Reload the page to see their change, then edit again."
                )
        return cleaned


class ServiceBackedAdmin(admin.ModelAdmin):
    """Routes the admin's saves and deletes through the services of one model."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except VersionMismatch as error:
            self.message_user(
                request,
                f"Not saved: someone else saved version {error.current_version} meanwhile.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        except ValidationError as error:
            # A rule over several forms at once (e.g. two variants with the same options), which
            # no single form could check.
            self.message_user(request, f"Not saved: {' '.join(error.messages)}", messages.ERROR)
            return HttpResponseRedirect(request.path)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)
        except StillInUse as error:
            self.message_user(request, f"Not deleted: {error}", messages.ERROR)
            return HttpResponseRedirect(request.path)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def changes(self, form: forms.ModelForm) -> dict[str, Any]:
        # The fields of the admin's own form, not of the one get_form derives from it, which holds
        # every field the page shows (a translation's too). The stubs do not declare a ModelForm's
        # inner Meta, which every form here has.
        fields = self.form.Meta.fields  # type: ignore[attr-defined]
        return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


class TranslatedForm(VersionCheckedForm):
    """A form whose row's translations are edited field by field per language, as the fields
    `<field>_<language>` for each field of `translated` (TranslatedAdmin adds them)."""

    translated: tuple[str, ...]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language, texts in self.instance.translations.items():
            for field, text in texts.items():
                self.initial.setdefault(f"{field}_{language}", text)

    def translations(self) -> dict[str, dict[str, Any]]:
        """The translations entered, without the fields left empty (which read as the default's)."""
        entered = {
            language: {
                field: self.cleaned_data[f"{field}_{language}"]
                for field in self.translated
                if self.cleaned_data.get(f"{field}_{language}")
            }
            for language in validators.translation_languages()
        }
        return {language: texts for language, texts in entered.items() if texts}


class TranslatedAdmin(admin.ModelAdmin):
    """The change form of a TranslatedForm: the row's own fields, then a section per language
    to translate into, with the fields `translation_fields` declares for it."""

    translation_fields: Callable[[], dict[str, forms.Field]]

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any):
        # The languages come from the settings, so the form's fields are declared per request.
        form = type(self.form.__name__, (self.form,), self.translation_fields())
        return super().get_form(request, obj, change, **{"form": form, **kwargs})

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list:
        ((_, options),) = super().get_fieldsets(request, obj)
        translated = self.translation_fields()
        sections: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": [name for name in options["fields"] if name not in translated]})
        ]
        for language in validators.translation_languages():
            names = [name for name in translated if name.endswith(f"_{language}")]
            sections.append((f"Translation: {language}", {"fields": names}))
        return sections


class ProductForm(TranslatedForm):
    """The product's own fields; its translations are edited as a name and a description per
    language (the fields `product_translation_fields` declares)."""

    translated = validators.TRANSLATED_FIELDS

    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    tags = TagsField(help_text="One tag per row; empty rows are ignored.")
    attributes = AttributesField(
        help_text="A name and a value per row; numbers and yes/no are read as their attribute's "
        "definition says. Clear a row's name and value to remove it."
    )

    class Meta:
        model = Product
        # Price and stock sum up the variants, which are edited below the product; the
        # translations are edited per language.
        fields = tuple(
            name
            for name in services.PRODUCT_FIELDS
            if name not in services.SUMMARY_FIELDS and name != "translations"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("attributes") and cleaned.get("category"):
            typed = attributes.typed_values(texts=cleaned["attributes"], category=cleaned["category"])
            cleaned["attributes"] = typed
            # The service checks them again; here a misfit shows beside its rows.
            try:
                attributes.check_attributes(attributes=typed, category=cleaned["category"])
            except ValidationError as error:
                self.add_error("attributes", error.message_dict["attributes"])
        return cleaned


def _translated_name_field(language: str, *, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=f"Name ({language})",
        max_length=max_length,
        required=False,
        validators=[validators.validate_single_line],
        help_text="Left empty: the default language's name is shown.",
    )


def product_translation_fields() -> dict[str, forms.Field]:
    """A name and a description field per language to translate into (CATALOG_LANGUAGES)."""
    fields: dict[str, forms.Field] = {}
    for language in validators.translation_languages():
        fields[f"name_{language}"] = _translated_name_field(language, max_length=validators.MAX_NAME_LENGTH)
        fields[f"description_{language}"] = forms.CharField(
            label=f"Description ({language})",
            widget=forms.Textarea,
            max_length=validators.MAX_DESCRIPTION_LENGTH,
            required=False,
            validators=[validators.validate_multi_line],
        )
    return fields


class VariantInline(admin.TabularInline):
    model = ProductVariant
    fields = services.VARIANT_FIELDS
    min_num = 1
    extra = 0


class StockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("in", "In stock"), ("out", "Out of stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "in":
            return queryset.filter(stock__gt=0)
        if self.value() == "out":
            return queryset.filter(stock=0)
        return queryset


class MostUsedFilter(admin.SimpleListFilter):
    """A foreign key's filter that lists only the LIMIT brands or categories with the most
    products (and the one chosen), so the sidebar stays short however many there are; the
    change list's search and the autocomplete reach the others."""

    limit = 12
    field_name: str
    related: type[Brand] | type[Category]

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        related = self.related
        top: list[Brand | Category] = list(
            related.objects.annotate(products_count=Count("products"))
            .filter(products_count__gt=0)
            .order_by("-products_count", "name")[: self.limit]
        )
        chosen = self._chosen_pk()
        if chosen is not None and all(item.pk != chosen for item in top):
            top += list(related.objects.filter(pk=chosen))
        return [(str(item.pk), item.name) for item in top]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        chosen = self._chosen_pk()
        return queryset.filter(**{f"{self.field_name}_id": chosen}) if chosen else queryset.none()

    def _chosen_pk(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None


class MostUsedBrandFilter(MostUsedFilter):
    title = "brand (the most used)"
    parameter_name = "brand"
    field_name = "brand"
    related = Brand


class MostUsedCategoryFilter(MostUsedFilter):
    title = "category (the most used)"
    parameter_name = "category"
    field_name = "category"
    related = Category


@admin.register(Product)
class ProductAdmin(TranslatedAdmin, ServiceBackedAdmin):
    form = ProductForm
    translation_fields = staticmethod(product_translation_fields)
    list_display = [
        "sku",
        "name",
        "brand",
        "category",
        "price",
        "stock",
        "is_active",
        "version",
        "updated_at",
    ]
    list_filter = ["is_active", StockFilter, MostUsedBrandFilter, MostUsedCategoryFilter]
    list_select_related = ["brand", "category"]
    autocomplete_fields = ["brand", "category"]
    search_fields = ["^sku", "name"]
    readonly_fields = ["price", "stock", "version", "created_at", "updated_at"]
    inlines = [VariantInline]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def save_model(self, request: HttpRequest, obj: Product, form: ProductForm, change: bool) -> None:
        """Nothing yet: the product is saved with its variants, in one command (save_related)."""

    def save_related(self, request: HttpRequest, form: ProductForm, formsets: list, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in ProductForm.Meta.fields}
        fields["translations"] = form.translations()
        variants = [
            {name: variant_form.cleaned_data[name] for name in services.VARIANT_FIELDS}
            for formset in formsets
            for variant_form in formset.forms
            if variant_form.cleaned_data and not variant_form.cleaned_data.get("DELETE")
        ]
        origin = _admin(request)
        if change:
            updated = services.product_update(
                product_id=form.instance.pk,
                changes={**fields, "variants": variants},
                expected_version=form.cleaned_data["loaded_version"],
                replace=True,
                origin=origin,
            )
        else:
            updated = services.product_create(**fields, variants=variants, origin=origin)
        form.instance.pk, form.instance.version = updated.pk, updated.version

    # The stub types `form` as a plain Form; the admin passes its ModelForm.
    def construct_change_message(  # type: ignore[override]
        self, request: HttpRequest, form: ProductForm, formsets: list, add: bool = False
    ):
        # The service saved the variants, not their formsets, which so have no saved objects.
        return super().construct_change_message(request, form, [], add)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        services.product_delete(product_id=obj.pk, origin=_admin(request))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The product's change history (catalog.history) instead of the admin's own log, which
        knows only the admin's changes and no values: every command, whichever channel made it,
        with each field's value before and after. A deleted product's too."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changes = history.product_changes(product_id=int(object_id))
        except (ValueError, Product.DoesNotExist):
            raise Http404(f"No product has had the id {object_id!r}.") from None
        page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get(PAGE_VAR))
        product = Product.objects.filter(pk=object_id).first()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {product or (page[0].sku if page else object_id)}",
            "subtitle": None if product else "The product has been deleted.",
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": product,
            "opts": self.opts,
            "page": page,
            "page_var": PAGE_VAR,
            "entries": [(change, [_shown_change(item) for item in change.changes]) for change in page],
            "retention_days": settings.CATALOG_HISTORY_RETENTION_DAYS,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/catalog/product/object_history.html", context)


HISTORY_PAGE_SIZE = 50


def _admin(request: HttpRequest) -> history.Origin:
    return history.Origin.of(request.user, channel=history.Channel.ADMIN)


def _shown_change(item: dict[str, Any]) -> dict[str, str]:
    """A field's change as the history page shows it: its path, and its values as text."""
    return {
        "field": ".".join(item["field"]),
        "before": _shown_value(item["before"]),
        "after": _shown_value(item["after"]),
    }


def _shown_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) and value:
        return value
    return json.dumps(value, ensure_ascii=False)  # "" quoted, so an emptied text shows


class BrandForm(VersionCheckedForm):
    class Meta:
        model = Brand
        fields = services.BRAND_FIELDS


class KeyedServiceAdmin(ServiceBackedAdmin):
    """Rows addressed by a natural key (a brand's or category's slug, an attribute's code),
    changed through their create/update/delete services."""

    key = "slug"
    readonly_fields = ("version",)
    # The model's commands, set by each subclass.
    create: Callable[..., KeyedModel]
    update: Callable[..., KeyedModel]
    remove: Callable[..., None]

    def save_model(
        self, request: HttpRequest, obj: KeyedModel, form: VersionCheckedForm, change: bool
    ) -> None:
        if change:
            updated = self.update(
                **{self.key: form.initial[self.key]},
                changes=self.entered(form, change=True),
                expected_version=form.cleaned_data["loaded_version"],
            )
        else:
            updated = self.create(**self.entered(form, change=False))
        obj.pk, obj.version = updated.pk, updated.version

    def entered(self, form: VersionCheckedForm, *, change: bool) -> dict[str, Any]:
        """The fields to save: those changed, or all of a new row's."""
        if change:
            return self.changes(form)
        fields = self.form.Meta.fields  # type: ignore[attr-defined]  # as in ServiceBackedAdmin.changes
        return {name: form.cleaned_data[name] for name in fields}

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self.remove(**{self.key: getattr(obj, self.key)})


class SlugServiceAdmin(KeyedServiceAdmin):
    """Brands and categories: addressed by slug."""

    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Brand)
class BrandAdmin(SlugServiceAdmin):
    form = BrandForm
    list_display = ("name", "slug", "version", "updated_at")
    create = staticmethod(services.brand_create)
    update = staticmethod(services.brand_update)
    remove = staticmethod(services.brand_delete)


class CategoryForm(VersionCheckedForm):
    class Meta:
        model = Category
        fields = services.CATEGORY_FIELDS


@admin.register(Category)
class CategoryAdmin(SlugServiceAdmin):
    form = CategoryForm
    list_display = ("name", "slug", "parent", "version", "updated_at")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    create = staticmethod(services.category_create)
    update = staticmethod(services.category_update)
    remove = staticmethod(services.category_delete)


class AttributeDefinitionForm(TranslatedForm):
    """The definition's own fields; its translations are edited as a name and choice labels
    per language (the fields `attribute_translation_fields` declares)."""

    translated = ("name", "choice_labels")
    choice_labels = ChoiceLabelsField(
        help_text="An enum's choice and how facets show it, a row each (e.g. <code>blue</code>, "
        "<code>Blue</code>); a choice left out is shown as stored. Also labels the variants' option "
        "of the same code. Filters keep using the choice."
    )

    class Meta:
        model = AttributeDefinition
        fields = tuple(name for name in services.ATTRIBUTE_FIELDS if name != "translations")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The service checks them again; here a label for no choice shows beside its rows.
        choices = cleaned.get("choices")
        choices = choices if isinstance(choices, list) else []
        # Per field of the form: the default language's labels, or a language's translation.
        labels: dict[str, tuple[dict[str, str] | None, dict[str, Any]]] = {
            "choice_labels": (cleaned.get("choice_labels"), {})
        } | {
            f"choice_labels_{language}": (None, {language: texts})
            for language, texts in self.translations().items()
        }
        for field, (choice_labels, translations) in labels.items():
            try:
                validators.check_choice_labels(
                    choices=choices, choice_labels=choice_labels, translations=translations
                )
            except ValidationError as error:
                self.add_error(field, error.messages)
        return cleaned


def attribute_translation_fields() -> dict[str, forms.Field]:
    """A name and choice labels field per language to translate into (CATALOG_LANGUAGES)."""
    fields: dict[str, forms.Field] = {}
    for language in validators.translation_languages():
        fields[f"name_{language}"] = _translated_name_field(
            language, max_length=validators.MAX_ATTRIBUTE_NAME_LENGTH
        )
        fields[f"choice_labels_{language}"] = ChoiceLabelsField(
            label=f"Choice labels ({language})",
            help_text="A choice and its label, a row each; a choice left out shows the default "
            "language's label.",
        )
    return fields


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(TranslatedAdmin, KeyedServiceAdmin):
    form = AttributeDefinitionForm
    translation_fields = staticmethod(attribute_translation_fields)
    key = "code"
    list_display = ("code", "name", "type", "unit", "filterable", "searchable", "version")
    list_filter = ("type", "filterable")
    search_fields = ("code", "name")
    filter_horizontal = ("categories",)
    create = staticmethod(services.attribute_create)
    update = staticmethod(services.attribute_update)
    remove = staticmethod(services.attribute_delete)

    def entered(self, form: VersionCheckedForm, *, change: bool) -> dict[str, Any]:
        fields = super().entered(form, change=change)
        translations = cast(AttributeDefinitionForm, form).translations()
        if not change or translations != form.instance.translations:
            fields["translations"] = translations
        return fields

    def save_related(
        self, request: HttpRequest, form: AttributeDefinitionForm, formsets: list, change: bool
    ) -> None:
        """Nothing: the service set the categories, in the same command as the rest."""


class SynonymRuleForm(VersionCheckedForm):
    class Meta:
        model = SynonymRule
        fields = services.SYNONYM_FIELDS
        help_texts = {
            "rule": "<code>tv, television</code> (each finds the others) or "
            "<code>laptop =&gt; notebook</code> (one way). Searches use it within seconds.",
            "code": "Names the rule.",
        }


@admin.register(SynonymRule)
class SynonymRuleAdmin(KeyedServiceAdmin):
    form = SynonymRuleForm
    key = "code"
    list_display = ("code", "rule", "version", "updated_at")
    search_fields = ("code", "rule")
    prepopulated_fields = {"code": ("rule",)}
    create = staticmethod(services.synonym_create)
    update = staticmethod(services.synonym_update)
    remove = staticmethod(services.synonym_delete)


class MerchandisingRuleForm(VersionCheckedForm):
    class Meta:
        model = MerchandisingRule
        fields = services.MERCHANDISING_FIELDS
        help_texts = {
            "pinned": "Product ids shown first, in this order, e.g. <code>[12, 7]</code>.",
            "hidden": "Product ids never shown for the query, e.g. <code>[31]</code>.",
        }


@admin.register(MerchandisingRule)
class MerchandisingRuleAdmin(KeyedServiceAdmin):
    form = MerchandisingRuleForm
    key = "code"
    list_display = ("code", "query", "match", "pinned", "hidden", "starts_at", "ends_at", "version")
    list_filter = ("match",)
    search_fields = ("code", "query")
    prepopulated_fields = {"code": ("query",)}
    create = staticmethod(services.merchandising_create)
    update = staticmethod(services.merchandising_update)
    remove = staticmethod(services.merchandising_delete)
