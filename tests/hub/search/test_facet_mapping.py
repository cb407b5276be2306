"""The facet fields of the offer index build their global ordinals at refresh, not at the
first search after it (issue #16: facet counts on every result page)."""

from __future__ import annotations

from hub.search.analysis import offer_index_body
from hub.search.facets import FACET_FIELDS


def test_every_keyword_facet_field_loads_global_ordinals_eagerly() -> None:
    properties = offer_index_body(replicas=0)["mappings"]["properties"]
    keyword_facets = [f for f in FACET_FIELDS.values() if properties[f]["type"] == "keyword"]
    assert len(keyword_facets) >= 6
    lazy = [f for f in keyword_facets if not properties[f].get("eager_global_ordinals")]
    assert lazy == []
