"""Django REST framework serializers whose declared fields are built once per thread.

DRF deep-copies every declared field of each serializer it builds, which rebuilds the fields one
by one: a fifth of a product PATCH's time, and most of a bulk request's validation, which builds
a product serializer per item (`python -m bench.fields`, docs/benchmarks.md). A field keeps no state of a
validation, only its binding (name and parent), so each thread builds the fields of a top-level
serializer class once and binds those copies to each of its serializers in turn: the latest
serializer of a class in a thread owns them, as a thread serves one request at a time. A
serializer nested in another (as a field) keeps fields of its own, as in DRF: it lives as long as
the field it is, which its top-level serializer reuses.
"""

import threading
from functools import cached_property

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

_thread_fields = threading.local()


class ReusedFieldsMixin(serializers.Serializer):
    @cached_property
    def fields(self) -> BindingDict:
        if getattr(self, "parent", None) is not None:  # bound: nested in another serializer
            return super().fields
        built: dict[type, BindingDict] = _thread_fields.__dict__.setdefault("by_class", {})
        fields = built.get(type(self))
        if fields is None:
            fields = built[type(self)] = BindingDict(self)
            for name, field in self.get_fields().items():
                fields[name] = field
        else:
            fields.serializer = self
            for field in fields.values():
                field.parent = self
        return fields
