"""`html_to_text` on hostile HTML: the output is plain text and carries no markup at all.

"Nothing executable survives" is checked strictly: no `<` that starts a tag, comment or
declaration may remain, so neither `<script`, event handlers nor `javascript:` URLs can reach
a page even if a template forgot to escape.
"""

from __future__ import annotations

import re

import pytest

from hub.core.text import CACHED_CHARS, html_to_text

TAG_START = re.compile(r"<[A-Za-z!/?]")  # what an HTML tokenizer reads as a tag
HOSTILE = {
    "script": "<script>alert(1)</script>Kurs",
    "script-upper": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>Kurs",
    "script-attrs": '<script type="text/javascript">document.cookie</script>',
    "style": "<style>body{background:url(javascript:alert(1))}</style>Kurs",
    "iframe": '<iframe src="javascript:alert(1)"></iframe>Kurs',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "onerror": '<img src=x onerror="alert(1)">Kurs',
    "onload-body": "<body onload=alert(1)>Kurs</body>",
    "onmouseover": '<p onmouseover="alert(1)">Kurs</p>',
    "javascript-href": '<a href="javascript:alert(1)">Anmeldung</a>',
    "javascript-href-entities": '<a href="&#106;avascript:alert(1)">Anmeldung</a>',
    "javascript-href-tab": '<a href="jav&#x09;ascript:alert(1)">Anmeldung</a>',
    "data-url": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "encoded-script": "&lt;script&gt;alert(1)&lt;/script&gt;Kurs",
    "numeric-encoded-script": "&#60;script&#62;alert(1)&#60;/script&#62;Kurs",
    "hex-encoded-script": "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;Kurs",
    "encoded-img": "&lt;img src=x onerror=alert(1)&gt;Kurs",
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>Kurs",
    "svg-script": "<svg><script>alert(1)</script></svg>Kurs",
    "math-confusion": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "nested-broken": "<scr<script>ipt>alert(1)</scr</script>ipt>Kurs",
    "double-open": "<<script>script>alert(1)<</script>/script>Kurs",
    "unclosed-img": "<img src=x onerror=alert(1)//",
    "unclosed-script": "<script>alert(1)",
    "comment-hidden": "<!--<script>alert(1)</script>-->Kurs",
    "conditional-comment": "<!--[if IE]><script>alert(1)</script><![endif]-->Kurs",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>Kurs",
    "object-embed": '<object data="javascript:alert(1)"></object><embed src="x.swf">Kurs',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">Kurs',
    "form-action": '<form action="javascript:alert(1)"><button>Senden</button></form>',
    "base-href": '<base href="javascript:alert(1)//">Kurs',
    "template": "<template><script>alert(1)</script></template>Kurs",
    "noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "null-byte": "<scr\x00ipt>alert(1)</scr\x00ipt>Kurs",
    "newline-in-tag": "<script\n>alert(1)</script\n>Kurs",
    "uppercase-handler": "<IMG SRC=x ONERROR=alert(1)>Kurs",
}
# Double-encoded markup next to an encoded tag: the sanitiser's second pass unescapes one level
# too many and hands back a live tag. Reported to the lead; flip to passing when fixed.
KNOWN_GAPS = {
    "double-encoded-after-encoded-tag": "&lt;b&gt;Kurs&lt;/b&gt;&amp;lt;script&amp;gt;alert(1)"
    "&amp;lt;/script&amp;gt;",
    "double-encoded-after-comparison": "<p>a &lt; b</p><p>c &gt; d &amp;lt;script&amp;gt;</p>",
    "double-encoded-img-after-encoded-tag": "&lt;i&gt;x&lt;/i&gt;&amp;lt;img src=x "
    "onerror=alert(1)&amp;gt;",
}


def assert_plain(text: str) -> None:
    assert not TAG_START.search(text), text
    assert "<script" not in text.lower()
    assert not re.search(r"<[^>]*(javascript:|\bon[a-z]+\s*=)", text, re.IGNORECASE), text


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_becomes_plain_text(html: str) -> None:
    assert_plain(html_to_text(html))


@pytest.mark.parametrize("html", KNOWN_GAPS.values(), ids=KNOWN_GAPS.keys())
def test_double_encoded_markup_stays_dead(html: str) -> None:
    assert_plain(html_to_text(html))


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<script>alert(1)</script>Kurs", "Kurs"),
        ("<style>p{}</style><p>Eltern&shy;café</p>", "Eltern\xadcafé"),
        ('<a href="javascript:alert(1)">Anmeldung</a>', "Anmeldung"),
        ("<p>Babymassage</p><p>ab 6&nbsp;Wochen</p>", "Babymassage\nab 6 Wochen"),
        ("<ul><li>Mo</li><li>Di</li></ul>", "• Mo\n• Di"),
        ("Kosten: 5 € < 10 € > 0 €", "Kosten: 5 € < 10 € > 0 €"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Kurs", "Kurs"),
        (None, ""),
        ("", ""),
    ],
)
def test_text_content_survives_while_markup_goes(html: str | None, text: str) -> None:
    assert html_to_text(html) == text


def test_long_fragments_read_like_short_ones() -> None:
    fragment = "<p>Kosten:&nbsp;5&nbsp;€</p><script>x()</script>"
    long_html = fragment * (CACHED_CHARS // len(fragment) + 1)
    assert len(long_html) > CACHED_CHARS
    assert html_to_text(fragment) == html_to_text(fragment) == "Kosten: 5 €"
    assert html_to_text(long_html) == "\n".join(["Kosten: 5 €"] * (len(long_html) // len(fragment)))
