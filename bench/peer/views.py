"""What a team without a search service writes: DRF + the ORM, `icontains` on MySQL.
Same parameters as our query API (q, brand, category, min_price, max_price, in_stock)."""

from django.db.models import Count, Q
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from catalog.models import Product


class ProductSerializer(serializers.ModelSerializer):
    brand = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "sku", "name", "description", "brand", "category", "price", "currency", "stock",
            "tags", "attributes", "is_active", "version", "created_at", "updated_at",
        ]  # fmt: skip

    def get_brand(self, product):
        return {"slug": product.brand.slug, "name": product.brand.name} if product.brand else None

    def get_category(self, product):
        return {"slug": product.category.slug, "name": product.category.name}


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def filtered(request):
    params = request.query_params
    products = Product.objects.filter(is_active=True).select_related("brand", "category")
    if params.get("brand"):
        products = products.filter(brand__slug__in=params.getlist("brand"))
    if params.get("category"):
        slugs = params.getlist("category")
        products = products.filter(
            Q(category__slug__in=slugs)
            | Q(category__parent__slug__in=slugs)
            | Q(category__parent__parent__slug__in=slugs)
        )
    if params.get("min_price"):
        products = products.filter(price__gte=params["min_price"])
    if params.get("max_price"):
        products = products.filter(price__lte=params["max_price"])
    if params.get("in_stock") in ("true", "false"):
        products = products.filter(stock__gt=0) if params["in_stock"] == "true" else products.filter(stock=0)
    return products


def text_filter(products, text):
    for word in text.split():
        products = products.filter(
            Q(name__icontains=word)
            | Q(sku__icontains=word)
            | Q(brand__name__icontains=word)
            | Q(category__name__icontains=word)
            | Q(description__icontains=word)
        )
    return products


class IcontainsList(generics.ListAPIView):
    serializer_class = ProductSerializer
    pagination_class = Pages

    def get_queryset(self):
        return filtered(self.request).order_by("-created_at", "-id")


class IcontainsSearch(IcontainsList):
    def get_queryset(self):
        return text_filter(filtered(self.request), self.request.query_params.get("q", "")).order_by("-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        matched = text_filter(filtered(request), request.query_params.get("q", ""))
        response.data["facets"] = {
            "brand": list(matched.values("brand__slug").annotate(count=Count("id")).order_by("-count")[:50]),
            "category": list(
                matched.values("category__slug").annotate(count=Count("id")).order_by("-count")[:50]
            ),
            "in_stock": matched.aggregate(true=Count("id", filter=Q(stock__gt=0)), all=Count("id")),
        }
        return response


class IcontainsSuggest(generics.GenericAPIView):
    def get(self, request):
        text = request.query_params.get("q", "")
        rows = Product.objects.filter(is_active=True).select_related("brand", "category")
        for word in text.split():
            rows = rows.filter(name__icontains=word)
        rows = rows.order_by("name")[:10]
        return Response(
            {
                "suggestions": [
                    {
                        "id": row.id,
                        "name": row.name,
                        "brand": row.brand.name if row.brand else None,
                        "category": row.category.name,
                    }
                    for row in rows
                ]
            }
        )


class IcontainsDetail(generics.RetrieveAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.select_related("brand", "category")
