"""Serializers that reuse their fields within a thread (shared.serializers): each one still
validates its own data, in its own context, whatever another serializer of its class validated
before it or beside it, and the fields really are built once per thread."""

import threading

from rest_framework import serializers

from shared.serializers import ReusedFieldsMixin


class Contextual(serializers.CharField):
    """Answers the `suffix` of its serializer's context: the context of the serializer it is bound to."""

    def to_internal_value(self, data):
        return super().to_internal_value(data) + self.context.get("suffix", "")


class Line(ReusedFieldsMixin, serializers.Serializer):
    sku = Contextual(max_length=10)
    quantity = serializers.IntegerField(min_value=1)

    builds = 0

    def get_fields(self):
        type(self).builds += 1
        return super().get_fields()


class Order(ReusedFieldsMixin, serializers.Serializer):
    reference = Contextual(max_length=10)
    lines = Line(many=True)


def test_a_later_serializer_leaves_an_earlier_ones_answer_alone():
    # given a valid line
    first = Line(data={"sku": "a1", "quantity": 2}, context={"suffix": "-x"})
    assert first.is_valid()

    # when the same thread then validates a bad one
    second = Line(data={"sku": "b" * 11, "quantity": 0})
    second.is_valid()

    # then each has its own answer, in its own context
    assert first.validated_data == {"sku": "a1-x", "quantity": 2}
    assert set(second.errors) == {"sku", "quantity"}
    third = Line(data={"sku": "c3", "quantity": 1}, context={"suffix": "-z"})
    assert third.is_valid(), third.errors
    assert third.validated_data == {"sku": "c3-z", "quantity": 1}


def test_a_serializer_nested_in_another_answers_in_its_roots_context():
    # given a top-level line validated in this thread, which now owns the thread's line fields
    assert Line(data={"sku": "a1", "quantity": 1}, context={"suffix": "-top"}).is_valid()

    # when an order with lines is validated, and then another top-level line, and another order
    order = Order(
        data={"reference": "o1", "lines": [{"sku": "l1", "quantity": 3}]}, context={"suffix": "-o1"}
    )
    assert order.is_valid(), order.errors
    assert Line(data={"sku": "a2", "quantity": 1}, context={"suffix": "-top"}).is_valid()
    again = Order(
        data={"reference": "o2", "lines": [{"sku": "l2", "quantity": 1}]}, context={"suffix": "-o2"}
    )
    assert again.is_valid(), again.errors
    bad = Order(data={"reference": "o3", "lines": [{"sku": "l3", "quantity": 0}]})
    bad.is_valid()

    # then each order's lines were validated in the order's context, and their errors are its own
    assert order.validated_data["lines"] == [{"sku": "l1-o1", "quantity": 3}]
    assert again.validated_data["lines"] == [{"sku": "l2-o2", "quantity": 1}]
    assert bad.errors == {"lines": {0: {"quantity": ["Ensure this value is greater than or equal to 1."]}}}


def test_threads_validating_at_once_each_get_their_own_answers():
    # given threads that each validate many lines with their own quantity, a bad one every third time
    failures: list[str] = []

    def validate(quantity: int) -> None:
        try:
            for attempt in range(300):
                bad = attempt % 3 == 0
                line = Line(
                    data={"sku": "x" * (11 if bad else 3), "quantity": quantity},
                    context={"suffix": f"{quantity}"},
                )
                valid = line.is_valid()
                if bad and (valid or set(line.errors) != {"sku"}):
                    failures.append(f"{quantity}: {line.errors}")
                if not bad and line.validated_data != {"sku": f"xxx{quantity}", "quantity": quantity}:
                    failures.append(f"{quantity}: got {line.validated_data}")
        except Exception as error:  # a thread's exception would otherwise go unseen
            failures.append(f"{quantity}: raised {error!r}")

    threads = [threading.Thread(target=validate, args=(quantity,)) for quantity in range(1, 9)]

    # when they run at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then none saw another's data, context or errors
    assert failures == []


def test_each_thread_builds_a_serializers_fields_once():
    # given a thread that has not built a line's fields yet
    valid: list[bool] = []

    def validate_lines() -> None:
        valid.extend(Line(data={"sku": "a", "quantity": quantity}).is_valid() for quantity in range(1, 51))

    built_before = Line.builds

    # when it validates 50 lines
    thread = threading.Thread(target=validate_lines)
    thread.start()
    thread.join()

    # then it built the fields once, not 50 times
    assert valid == [True] * 50
    assert Line.builds - built_before == 1
