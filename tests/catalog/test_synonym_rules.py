"""Synonym rules as staff write them: parsed and refused with a reason when malformed, managed
through the API with the catalog's permissions."""

import pytest
from django.core.exceptions import ValidationError

from catalog.models import SynonymRule
from catalog.synonyms import Rule, parse_rule
from tests import factories

RULES = "/api/synonyms/"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("tv, television", Rule(terms=("tv", "television"))),
        ("Laptop  =>  Notebook", Rule(terms=("laptop",), replacements=("notebook",))),
        ("wi-fi, wifi, wireless lan", Rule(terms=("wi-fi", "wifi", "wireless lan"))),
        ("sofa, couch => settee", Rule(terms=("sofa", "couch"), replacements=("settee",))),
        ("c++, b&o", Rule(terms=("c++", "b&o"))),
    ],
)
def test_a_rule_is_read_as_solr_writes_it(text, rule):
    assert parse_rule(text) == rule


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tv", "needs two terms"),
        ("tv,, television", "Empty term"),
        ("a => b => c", 'at most one "=>"'),
        ("tv, TV", "appears twice"),
        ("tv => TV", "sides must differ"),
        ("tv; television, telly", "may only hold"),
        ("tv,\ntelevision", "one line"),
        (", ".join(f"term{n}" for n in range(21)), "at most 20 terms"),
    ],
)
def test_a_malformed_rule_is_refused_with_its_reason(text, reason):
    with pytest.raises(ValidationError) as raised:
        parse_rule(text)
    assert reason in raised.value.messages[0]


@pytest.mark.django_db
def test_staff_add_change_and_remove_rules_through_the_api(staff_api):
    created = staff_api.post(RULES, {"rule": "TV,  television"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "tv"
    assert created.json()["rule"] == "TV, television"
    assert created["Location"].endswith("/api/synonyms/tv/")

    changed = staff_api.patch(f"{RULES}tv/", {"rule": "tv, television, telly"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2
    assert [rule["rule"] for rule in staff_api.get(RULES).json()] == ["tv, television, telly"]

    assert staff_api.delete(f"{RULES}tv/").status_code == 204
    assert not SynonymRule.objects.exists()


@pytest.mark.django_db
def test_a_malformed_rule_is_a_400_naming_the_rule_and_stores_nothing(staff_api):
    response = staff_api.post(RULES, {"rule": "a => b => c"}, format="json")
    assert response.status_code == 400
    assert 'at most one "=>"' in response.json()["rule"][0]
    assert not SynonymRule.objects.exists()


@pytest.mark.django_db
def test_rules_need_the_catalog_permissions(api):
    assert api.get(RULES).status_code == 401
    assert api.post(RULES, {"rule": "tv, television"}, format="json").status_code == 401
    reader = factories.user(username="reader")
    api.force_authenticate(reader)
    assert api.post(RULES, {"rule": "tv, television"}, format="json").status_code == 403
    assert not SynonymRule.objects.exists()
