"""An index set of a test module's own, under a sub-prefix, holding only the offers it writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, drop_prefixed, ensure_indices
from hub.search.writer import OfferWriter


@contextmanager
def own_index(settings: Settings, name: str, offers: Sequence[Offer]) -> Iterator[Settings]:
    """Settings whose indices hold exactly `offers` (searchable), dropped afterwards."""
    prefix = f"{settings.index_prefix}{name}-{uuid.uuid4().hex[:6]}-"
    own = settings.model_copy(update={"index_prefix": prefix})
    engine = SearchEngine(own)
    try:
        ensure_indices(engine)
        OfferWriter(engine).write(offers)
        engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
        yield own
    finally:
        drop_prefixed(engine)
        engine.close()
