"""The API's JSON renderer: DRF's JSONRenderer with orjson doing the encoding.

Query responses are large documents passed through from Elasticsearch; encoding them with the
standard library was a measurable part of a list or search request (see docs/benchmarks.md).
Types orjson does not know (lazy translations, Decimal, ...) go through DRF's own encoder, so the
output is what JSONRenderer would produce, only compact.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_encoder = JSONEncoder()


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            # DRF's error bodies key list items by index (`{"tags": {0: [...]}}`).
            return orjson.dumps(data, default=_drf_encoder.default, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            # What orjson cannot write and JSON can: an integer past 64 bits, as an error may
            # echo one from the request.
            return super().render(data, accepted_media_type, renderer_context)
