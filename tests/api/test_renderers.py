"""The API's JSON renderer writes what DRF's own would, only compact and faster, including what
orjson alone cannot write."""

import json
from decimal import Decimal

from rest_framework.renderers import JSONRenderer

from api.renderers import OrjsonRenderer


def test_an_answer_is_written_as_drfs_renderer_would_write_it():
    data = {"price": Decimal("9.50"), "errors": {"tags": {0: ["Not a valid string."]}}, "name": "Café"}

    written = OrjsonRenderer().render(data)

    assert json.loads(written) == json.loads(JSONRenderer().render(data))
    assert json.loads(written)["errors"] == {"tags": {"0": ["Not a valid string."]}}


def test_an_integer_past_64_bits_is_written_as_json_has_it():
    # given an answer echoing an integer orjson cannot write (an error may echo the request's)
    data = {"id": 10**30, "status": 400}

    assert json.loads(OrjsonRenderer().render(data)) == {"id": 10**30, "status": 400}
