"""Category filters proposed from a dry run: which of the source's categories hold only offers,
which only pages that are no offer (imprint, job ads, council news, …).

A municipality knows its categories better than any detector; what it lacks is the overview.
`hub connector check` shows it this proposal with a German explanation, and the filters go
into the source's `offer_filters` unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from connectors.sdk.filters import OfferFilters
from hub.core.schema import Offer, Rejection
from hub.core.vocab import fold
from hub.ingest.normalise.offer_filter import NOT_AN_OFFER

ALL_OFFERS_DE = "Alle Beiträge sind Angebote: Kategorie-Filter sind nicht nötig."
INCLUDE_WOULD_LOSE_DE = (
    "Kein Filter zum Einbeziehen: nicht jedes Angebot trägt eine Kategorie, die nur Angebote "
    "enthält; ein solcher Filter würde Angebote verlieren."
)
NO_SEPARATING_CATEGORY_DE = (
    "Keine Kategorie trennt Angebote von anderen Beiträgen; einzelne Beiträge lassen sich über "
    "ihre Kennung korrigieren (offers / not_offers)."
)


@dataclass(frozen=True)
class FilterProposal:
    """Proposed include/exclude filters and, line by line, why (German)."""

    filters: OfferFilters
    explanation_de: list[str] = field(default_factory=list)


def propose_filters(offers: Sequence[Offer], rejections: Sequence[Rejection]) -> FilterProposal:
    """Exclude categories seen only on non-offers; include categories seen only on offers,
    but only when every offer has one of them (an include filter drops the others)."""
    noise = [r for r in rejections if r.code == NOT_AN_OFFER]
    if not noise:
        return FilterProposal(OfferFilters(), [ALL_OFFERS_DE])
    offer_counts, names = _counts(o.categories for o in offers)
    noise_counts, noise_names = _counts(r.categories for r in noise)
    names = {**noise_names, **names}
    exclude = [k for k, _ in noise_counts.most_common() if k not in offer_counts]
    include = [k for k, _ in offer_counts.most_common() if k not in noise_counts]
    lines = [f"Ausschließen: „{names[k]}“ – {noise_counts[k]} × kein Angebot." for k in exclude]
    if include and not all(_folded(o.categories) & set(include) for o in offers):
        lines.append(INCLUDE_WOULD_LOSE_DE)
        include = []
    lines += [f"Einbeziehen: „{names[k]}“ – {offer_counts[k]} × Angebot." for k in include]
    if not exclude and not include:
        lines.append(NO_SEPARATING_CATEGORY_DE)
    filters = OfferFilters(
        include_categories=[names[k] for k in include],
        exclude_categories=[names[k] for k in exclude],
    )
    return FilterProposal(filters, lines)


def _counts(groups: Iterable[Sequence[str]]) -> tuple[Counter[str], dict[str, str]]:
    """Records per folded category, and the first spelling seen of each."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for categories in groups:
        for key in _folded(categories):
            counts[key] += 1
        for category in categories:
            names.setdefault(fold(category), category)
    return counts, names


def _folded(categories: Iterable[str]) -> set[str]:
    return {fold(c) for c in categories if fold(c)}
