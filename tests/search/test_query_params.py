"""The query parameter serializers reuse their fields within a thread (search.api.params): each
request's parameters must still be validated on their own, whatever another serializer of the
same kind validated before or beside it."""

import threading

from django.http import QueryDict

from search.api.params import ListParamsSerializer, SearchParamsSerializer


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


def test_threads_validating_at_once_each_get_their_own_parameters():
    # given threads that each validate many requests with their own page size, and a bad one
    # every third time
    failures: list[str] = []

    def validate(size: int) -> None:
        try:
            for attempt in range(200):
                bad = attempt % 3 == 0
                query = f"q=shoe&page_size={size}" + ("&sort=nope" if bad else "")
                params = _validated(SearchParamsSerializer, query)
                if bad and set(params.errors) != {"sort"}:
                    failures.append(f"{size}: {params.errors}")
                if not bad and params.validated_data["page_size"] != size:
                    failures.append(f"{size}: got {params.validated_data['page_size']}")
        except Exception as error:  # a thread's exception would otherwise go unseen
            failures.append(f"{size}: raised {error!r}")

    threads = [threading.Thread(target=validate, args=(size,)) for size in range(1, 9)]

    # when they run at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then none saw another's parameters or errors
    assert failures == []
