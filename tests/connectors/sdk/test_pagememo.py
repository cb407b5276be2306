"""The page memo's rules on their own: what makes a page unchanged and what is kept."""

from __future__ import annotations

from connectors.sdk.pagememo import PageEntry, PageMemo
from hub.core.fetcher import FetchResponse

URL = "https://www.unna.de/feed?seite=1"


def response(body: bytes = b"[1, 2]", url: str = URL, **headers: str) -> FetchResponse:
    return FetchResponse(url=url, status=200, headers=headers, content=body)


def memo(known: dict[str, PageEntry], indexed: set[str], context: str = "rss|v1|c1") -> PageMemo:
    return PageMemo(context, lambda: (known, indexed))


def test_digest_covers_body_url_read_headers_and_context() -> None:
    base = memo({}, set()).digest(response())
    assert memo({}, set()).digest(response(date="Mon")) == base  # a header nobody reads
    assert memo({}, set()).digest(response(b"[1, 3]")) != base
    assert memo({}, set()).digest(response(url=URL + "0")) != base
    assert memo({}, set()).digest(response(link='<x>; rel="next"')) != base
    assert memo({}, set(), context="rss|v2|c1").digest(response()) != base


def test_a_page_is_skipped_only_while_its_ids_are_indexed() -> None:
    digest = memo({}, set()).digest(response())
    entry = PageEntry(digest, ("a", "b"), "https://www.unna.de/feed?seite=2")

    kept = memo({URL: entry}, {"a", "b", "c"})
    assert kept.recall(response(), str) == entry
    assert kept.skipped_ids() == ["a", "b"]

    one_gone = memo({URL: entry}, {"a"})
    assert one_gone.recall(response(), str) is None
    assert one_gone.recall(response(), int) is None  # and never under another paging answer


def test_only_pages_whose_records_all_settled_are_kept() -> None:
    pages = memo({}, set())
    for url, ids in ((URL, ["a", "b"]), (URL + "2", ["c", None]), (URL + "3", ["d"])):
        assert pages.recall(response(url=url), int) is None
        for doc_id in ids:
            pages.took(doc_id)
        pages.close(None)

    kept = pages.to_keep(settled={"a", "b", "c"})  # d was rejected; page 2 had no id for one

    assert list(kept) == [URL]
    assert kept[URL].ids == ("a", "b")


def test_the_first_pages_last_modified_counts_for_every_page() -> None:
    """Feeds may date records without a time of their own by page 1's Last-Modified."""

    def read(first_modified: str, known: dict[str, PageEntry]) -> PageMemo:
        pages = memo(known, {"a", "b"})
        pages.recall(response(b"[1]", URL, **{"last-modified": first_modified}), str)
        pages.took("a")
        pages.close(URL + "2")
        pages.recall(response(b"[2]", URL + "2"), str)
        pages.took("b")
        pages.close(None)
        return pages

    first = read("Mon, 02 Nov 2026 10:00:00 GMT", {})
    known = first.to_keep(settled={"a", "b"})

    assert len(read("Mon, 02 Nov 2026 10:00:00 GMT", known).skipped) == 2
    assert read("Tue, 03 Nov 2026 10:00:00 GMT", known).skipped == {}
