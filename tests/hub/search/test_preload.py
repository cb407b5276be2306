"""The serving process loads the search's data before its first request."""

from __future__ import annotations

from hub.search.intent import understand
from hub.search.preload import TEXTS, preload


def test_the_preloaded_texts_take_every_path_of_understanding() -> None:
    preload()
    intents = [understand(text) for text in TEXTS]
    assert any(i.place for i in intents)
    assert any(i.age_months is not None for i in intents)
    assert {"tr", "en"} <= {lang for i in intents for lang in i.languages}
    assert any(i.costs for i in intents) and any(i.online for i in intents)
    assert any(i.parts for i in intents) and any(i.lemma_text for i in intents)
