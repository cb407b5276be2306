"""The address policy against a public SSRF payload list and every special-purpose range.

Every URL in ssrf_urls.txt must be refused at registration (`check_url`) and at fetch time
(`get`) with NO allow-list. Names that need internet DNS (nip.io, 1u.ms, localtest.me) cannot be
resolved here: they are refused as unresolvable, and once more with a resolver that answers the
way the internet would (into loopback, metadata or a rebinding pair).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections import Counter
from collections.abc import Iterator

import pytest

from hub.core.addresses import (
    AddressPolicy,
    inet_aton,
    parse_target,
    refusal_reason,
)
from hub.core.errors import (
    PermanentFetchError,
    RefusedURLError,
    UnresolvableHostError,
    UnsafeURLError,
)
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from tests.support.paths import SSRF_URLS

URLS = [line for line in SSRF_URLS.read_text(encoding="utf-8").splitlines() if line.strip()]
DNS_NAMES = ("nip.io", "1u.ms", "localtest.me", "localh.st", "r3dir.me", "nicob.net")
METADATA_HINTS = ("169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192",
                  "metadata", "instance-data", "fd00:ec2")  # fmt: skip


def category(url: str) -> str:
    """Which kind of trick a listed URL tries (for per-category counts)."""
    if not re.match(r"(?i)https?:", url):
        return "other-scheme"
    if not re.match(r"(?i)https?://", url) or re.search(r"[\\\s@]|\?\?", url):
        return "parser-confusion"
    host = re.split(r"[/?#]", url.split("://", 1)[1], maxsplit=1)[0]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if host.endswith(DNS_NAMES):
        return "dns-dependent"
    if host.startswith("["):
        return "ipv6-literal"
    if re.fullmatch(r"[0-9a-fxoq.]+", host.lower()) and not re.fullmatch(
        r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}", host
    ):
        return "odd-ipv4-spelling"
    if any(hint in host for hint in METADATA_HINTS):
        return "metadata"
    if not host.isascii():
        return "idn"
    if "." not in host or host.startswith("localhost"):
        return "internal-name"
    return "private-ipv4-literal"


@pytest.fixture(scope="module")
def fetcher() -> Iterator[SafeFetcher]:
    fetcher = SafeFetcher(Settings(environment="test", fetch_allow_hosts=[]))
    yield fetcher
    fetcher.close()


def internet_resolver(host: str, port: int) -> list[str]:
    """What public DNS would answer for the listed names that point inside."""
    embedded = re.search(r"(\d+\.\d+\.\d+\.\d+)\.nip\.io$", host)
    if embedded:
        return [embedded.group(1)]
    if host.endswith("1u.ms"):
        return ["1.2.3.4", "169.254.169.254"]  # a rebinding name answers both over time
    if host in ("localtest.me", "localh.st"):
        return ["127.0.0.1"]
    if host in ("ip6-localhost", "ip6-loopback"):
        return ["::1"]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize("url", URLS, ids=[f"{category(u)}-{i}" for i, u in enumerate(URLS)])
def test_listed_url_is_refused_at_registration(fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        fetcher.check_url(url)
    assert caught.value.message_de


@pytest.mark.parametrize("url", URLS, ids=[f"{category(u)}-{i}" for i, u in enumerate(URLS)])
def test_listed_url_is_refused_at_fetch_time(fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(RefusedURLError):
        fetcher.get(url)


def test_every_category_of_the_list_is_refused_completely(fetcher: SafeFetcher) -> None:
    tried: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for url in URLS:
        tried[category(url)] += 1
        try:
            fetcher.check_url(url)
        except UnsafeURLError:
            refused[category(url)] += 1
    assert sum(tried.values()) == len(URLS) == 160
    assert refused == tried
    assert set(tried) == {
        "other-scheme", "parser-confusion", "dns-dependent", "ipv6-literal",
        "odd-ipv4-spelling", "metadata", "idn", "internal-name", "private-ipv4-literal",
    }  # fmt: skip


@pytest.mark.parametrize("url", [u for u in URLS if category(u) == "dns-dependent"])
def test_unresolvable_names_are_refused_as_unresolvable_not_crashing(
    fetcher: SafeFetcher, url: str
) -> None:
    with pytest.raises(UnresolvableHostError) as caught:
        fetcher.check_url(url)
    assert isinstance(caught.value, PermanentFetchError)
    assert caught.value.code == "unresolvable_host"
    assert "nicht auffindbar" in caught.value.message_de


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254.nip.io/",
        "http://company.127.0.0.1.nip.io",
        "http://make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms",
        "http://localtest.me",
        "http://localh.st",
        "http://ip6-localhost",
    ],
)
def test_names_that_resolve_inside_are_refused_when_dns_answers(url: str) -> None:
    settings = Settings(environment="test", fetch_allow_hosts=[])
    fetcher = SafeFetcher(settings, resolver=internet_resolver)
    with pytest.raises(RefusedURLError) as caught:
        fetcher.check_url(url)
    assert caught.value.reason in {"loopback", "metadata", "internal-name"}
    with pytest.raises(RefusedURLError):
        fetcher.get(url)


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0", "10.1.2.3", "100.64.0.1", "100.127.255.255", "127.0.0.1", "127.255.255.254",
        "169.254.1.1", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1",
        "192.168.0.1", "198.18.0.1", "198.19.255.255", "198.51.100.1", "203.0.113.1",
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::", "::1", "fc00::1", "fd00:ec2::254", "fe80::1", "fec0::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:0:7f00:1", "::127.0.0.1",
        "2002:7f00:1::1", "2002:c0a8:101::", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1", "3fff::1",
        "100::1", "2001:2::1", "4000::1",
    ],
)  # fmt: skip
def test_special_purpose_addresses_are_refused(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8", "1.1.1.1", "193.175.0.1", "100.63.255.255", "100.128.0.0", "172.15.255.255",
        "172.32.0.0", "198.17.255.255", "198.20.0.0", "192.0.1.1", "2a00:1450:4001:82b::200e",
        "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
    ],
)  # fmt: skip
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"), ("0", "0.0.0.0"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("0251.00376.000251.0000376", "169.254.169.254"),
        ("1.2.3.4", "1.2.3.4"), ("08.0.0.1", None), ("256.1.1.1", None),
        ("0x41414141A9FEA9FE", None), ("1.2.3.4.5", None), ("425.510.425.510", None),
    ],
)  # fmt: skip
def test_inet_aton_reads_numbers_like_glibc(text: str, expected: str | None) -> None:
    address = inet_aton(text)
    assert (str(address) if address else None) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://134744072/", "odd-ip"),  # 8.8.8.8: unusual spellings are refused even if public
        ("http://127.0.0.1./", "loopback"),
        ("http://localhost./", "internal-name"),
        ("http://%31%32%37.0.0.1/", "encoded-host"),
        ("http://[fe80::1%25eth0]/", "encoded-host"),
        ("http://[127.0.0.1]/", "odd-ip"),
        ("http://example.com:0/", "malformed"),
        ("http://example.com:99999/", "malformed"),
        ("http://example.com:8o/", "malformed"),
        ("http://exa mple.com/", "whitespace"),
        ("http://example.com/a\tb", "whitespace"),
        ("http://example.com\u200b/", "whitespace"),
        ("http://user:pw@example.com/", "userinfo"),
        ("http://example.com@127.0.0.1/", "userinfo"),
        ("http:/\\127.0.0.1/", "backslash"),
        ("http:127.0.0.1/", "malformed"),
        ("//127.0.0.1/", "scheme"),
        ("ftp://example.com/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://１２７.０.０.１/", "idn"),
        ("http://exa\u3002mple.com/", "idn"),
        ("http://xn--a.com/", "idn"),
        ("http://cms.intranet/", "internal-name"),
        ("http://printer.local/", "internal-name"),
        ("http://metadata.google.internal./", "metadata"),
    ],
)
def test_url_tricks_are_refused_with_a_reason(url: str, reason: str) -> None:
    policy = AddressPolicy([])
    with pytest.raises(RefusedURLError) as caught:
        policy.check_target(parse_target(url))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTPS://Feeds.Kommune-Beispiel.DE/rss?x=1#top", "https://feeds.kommune-beispiel.de/rss?x=1"),
        ("http://münster-beispiel.de", "http://xn--mnster-beispiel-zvb.de/"),
        ("http://example.com.:8080/a/ä", "http://example.com:8080/a/ä"),
        ("https://example.com:443/", "https://example.com/"),
        ("http://[2a00:1450:4001:82B:0::200e]:81/", "http://[2a00:1450:4001:82b::200e]:81/"),
        ("  http://example.com/feed\n", "http://example.com/feed"),
        ("http://example.com/Familien Café?q=a b", "http://example.com/Familien%20Café?q=a%20b"),
    ],
)  # fmt: skip
def test_acceptable_urls_are_normalised_for_the_request(url: str, normalised: str) -> None:
    assert parse_target(url).url == normalised


def test_one_internal_answer_among_public_ones_refuses_the_host() -> None:
    policy = AddressPolicy([], resolver=lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(RefusedURLError) as caught:
        policy.check_target(parse_target("https://feeds.kommune-beispiel.de/"))
    assert caught.value.reason == "private"


def test_allow_list_opens_cidrs_and_named_intranet_hosts() -> None:
    answers = {"cms.kommune-beispiel.de": ["10.1.2.3"], "intranet-cms": ["192.168.5.5"]}
    policy = AddressPolicy(
        ["10.0.0.0/8", "Intranet-CMS"], resolver=lambda host, port: answers[host]
    )
    assert policy.check_target(parse_target("http://cms.kommune-beispiel.de/")) == [
        ipaddress.ip_address("10.1.2.3")
    ]
    assert policy.check_target(parse_target("http://intranet-cms/feed"))
    with pytest.raises(RefusedURLError):
        policy.check_target(parse_target("http://192.168.5.5/"))


def test_exact_loopback_allow_list_opens_nothing_else() -> None:
    policy = AddressPolicy(["127.0.0.1"])
    assert policy.check_target(parse_target("http://127.0.0.1:8123/feed"))
    for url in ("http://127.0.0.2/", "http://localhost/", "http://2130706433/", "http://[::1]/"):
        with pytest.raises(RefusedURLError):
            policy.check_target(parse_target(url))


def test_metadata_stays_refused_whatever_the_allow_list_says() -> None:
    policy = AddressPolicy(
        ["169.254.0.0/16", "100.64.0.0/10", "fd00::/8", "metadata.google.internal"],
        resolver=lambda host, port: ["169.254.169.254"],
    )
    assert policy.check_target(parse_target("http://169.254.1.1/"))
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/",
        "http://innocent.kommune-beispiel.de/",
    ):
        with pytest.raises(RefusedURLError) as caught:
            policy.check_target(parse_target(url))
        assert caught.value.reason == "metadata"
