"""The API's JSON renderer: DRF's JSONRenderer with orjson doing the encoding.

Query responses are large documents passed through from Elasticsearch; encoding them with the
standard library was a measurable part of a list or search request (see docs/benchmarks.md).
Types orjson does not know (lazy translations, Decimal, ...) go through DRF's own encoder, so the
output is what JSONRenderer would produce, only compact.

What orjson refuses, JSONRenderer writes: an integer past 64 bits, and a text holding half of a
UTF-16 surrogate pair (`\\ud800` alone), written as JSON's escape since it is no character that
UTF-8 can carry. Both reach an answer only in an error echoing the request (`"\\ud800" is not a
valid choice.`), which must be a 400, not a 500.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_encoder = JSONEncoder()


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if not self.get_indent(accepted_media_type, renderer_context or {}):
            try:
                # DRF's error bodies key list items by index (`{"tags": {0: [...]}}`).
                return orjson.dumps(data, default=_drf_encoder.default, option=orjson.OPT_NON_STR_KEYS)
            except TypeError:
                pass  # written below, as JSONRenderer writes it
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _ESCAPING_RENDERER.render(data, accepted_media_type, renderer_context)


class _EscapingRenderer(JSONRenderer):
    ensure_ascii = True


_ESCAPING_RENDERER = _EscapingRenderer()
