"""The query parameter serializers reuse their fields within a thread (shared.serializers): each
request's parameters are still validated on their own, whatever the thread validated before."""

from django.http import QueryDict

from search.api.params import ListParamsSerializer


def _validated(serializer_class, query: str):
    params = serializer_class(query=QueryDict(query))
    params.is_valid()
    return params


def test_a_later_request_in_the_same_thread_leaves_an_earlier_ones_answer_alone():
    # given a valid list request
    first = _validated(ListParamsSerializer, "page_size=7&brand=acme&brand=zeta")

    # when the same thread then validates a bad one of the same kind
    second = _validated(ListParamsSerializer, "page_size=500&brand=not a slug")

    # then each keeps its own answer
    assert first.errors == {}
    assert first.validated_data["page_size"] == 7
    assert first.validated_data["brand"] == ["acme", "zeta"]
    assert set(second.errors) == {"page_size", "brand"}
    # and a third, valid again, is not marked by the second's errors
    third = _validated(ListParamsSerializer, "page_size=3")
    assert third.errors == {}
    assert third.validated_data["page_size"] == 3
    assert "brand" not in third.validated_data
