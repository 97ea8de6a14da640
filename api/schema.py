"""The OpenAPI schema class (drf-spectacular's, made to state two things it leaves loose):
which operations anonymous callers may use, and what a decimal field accepts."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.request import Request


class CatalogAutoSchema(AutoSchema):
    def get_auth(self) -> list[dict[str, Any]]:
        """An operation that the view's own permission classes grant an anonymous caller lists
        the empty requirement `{}` (no credentials) beside the schemes: drf-spectacular only
        recognises AllowAny and IsAuthenticatedOrReadOnly by name."""
        auths = super().get_auth()
        if {} not in auths and self._anonymous_allowed():
            auths.append({})
        return auths

    def _anonymous_allowed(self) -> bool:
        http_request = HttpRequest()
        http_request.method = self.method
        request = Request(http_request)
        request.user = AnonymousUser()
        try:
            return all(
                permission.has_permission(request, self.view) for permission in self.view.get_permissions()
            )
        except Exception:  # a permission that needs more of a request than a bare one: not anonymous
            return False

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        """A decimal's pattern as the field validates it: at least one digit before an optional
        fraction, and no sign when the field allows no negative value (drf-spectacular's
        `^-?\\d{0,n}(?:\\.\\d{0,m})?$` also matches "", "-" and ".")."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            whole, places = field.max_whole_digits, field.decimal_places
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            integer = r"0" if whole == 0 else rf"\d{{1,{whole}}}"
            schema = {**schema, "pattern": rf"^{sign}{integer}(?:\.\d{{1,{places}}})?$"}
        return schema
