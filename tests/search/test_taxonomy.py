"""The category tree assembled from aggregations (search.taxonomy), in the moment a rename or a
move is being indexed, when documents of one category still disagree about its place."""

from search import taxonomy


def _path(indexed_at: int, *categories: tuple[str, str]) -> dict:
    """One `paths` bucket: the newest document of a category, with its path from the root."""
    slugs, names = zip(*categories, strict=True)
    source = {"category": {"path_slugs": list(slugs), "path": list(names)}}
    return {"newest": {"hits": {"hits": [{"_source": source, "sort": [indexed_at]}]}}}


def _aggregations(counts: dict[str, int], *paths: dict) -> dict:
    return {
        "counts": {"buckets": [{"key": slug, "doc_count": count} for slug, count in counts.items()]},
        "paths": {"buckets": list(paths)},
    }


def test_while_a_move_is_indexed_the_newest_documents_place_the_category():
    # given Keyboards' products re-indexed after Computers moved to the top (indexed at 2),
    # while Mice's products still carry the old path below Electronics (indexed at 1)
    aggregations = _aggregations(
        {"electronics": 1, "computers": 2, "keyboards": 1, "mice": 1},
        _path(1, ("electronics", "Electronics"), ("computers", "Computers"), ("mice", "Mice")),
        _path(2, ("computers", "Computers"), ("keyboards", "Keyboards")),
    )

    # when the tree is assembled
    tree = taxonomy.category_tree(aggregations)

    # then Computers appears once, where its newest document puts it, with both children
    assert [(node["slug"], [child["slug"] for child in node["children"]]) for node in tree] == [
        ("computers", ["keyboards", "mice"]),
        ("electronics", []),
    ]


def test_while_a_rename_is_indexed_the_newest_name_shows():
    aggregations = _aggregations(
        {"audio": 2, "headphones": 1, "speakers": 1},
        _path(1, ("audio", "Audio"), ("headphones", "Headphones")),
        _path(2, ("audio", "Sound"), ("speakers", "Speakers")),
    )

    (audio,) = taxonomy.category_tree(aggregations)

    assert (audio["name"], audio["count"]) == ("Sound", 2)
