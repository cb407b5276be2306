"""Which URLs and addresses the safe fetcher may reach (DESIGN.md §7).

The host of a URL is parsed here, never by the resolver: glibc's `getaddrinfo` happily turns
`2130706433`, `0177.0.0.1` or `127.1` into 127.0.0.1, so every host that looks numeric is parsed
with `inet_aton` rules and refused unless it is written as a plain dotted quad. Names are
resolved once; every resolved address must pass (a single refused one refuses the host), and the
fetcher connects only to addresses that passed. A host that cannot be resolved cannot be checked
and is refused too (`UnresolvableHostError`), at registration and at fetch time alike.

`fetch_allow_hosts` (host names or CIDRs) opens private ranges for tests and intranets; cloud
metadata endpoints stay refused whatever the allow-list says.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import idna

from hub.core.errors import RefusedURLError, UnresolvableHostError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
REFUSED_V4: tuple[tuple[_V4, str], ...] = tuple(
    (ipaddress.IPv4Network(net), label)
    for net, label in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "cgnat"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "ietf-protocol"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4-relay"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmark"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
    )
)
REFUSED_V6: tuple[tuple[_V6, str], ...] = tuple(
    (ipaddress.IPv6Network(net), label)
    for net, label in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "ipv4-compatible"),  # mapped, NAT64 and 6to4 addresses are unwrapped first
        ("::ffff:0:0:0/96", "ipv4-translated"),
        ("64:ff9b:1::/48", "nat64-local"),
        ("100::/64", "discard"),
        ("2001::/32", "teredo"),
        ("2001::/23", "ietf-protocol"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "srv6"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Hetzner, DigitalOcean
        "169.254.170.2",  # AWS ECS task credentials
        "169.254.170.23",  # AWS EKS pod identity
        "169.254.0.23",  # Tencent Cloud
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "168.63.129.16",  # Azure WireServer: a public address, hence listed by hand
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",  # AWS EKS pod identity over IPv6
        "fd20:ce::254",  # GCP metadata over IPv6
    )
)
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.packet.net",
        "metadata.platformequinix.com",
        "metadata.tencentyun.com",
        "rancher-metadata",
    }
)
INTERNAL_SUFFIXES = frozenset(
    {"localhost", "local", "localdomain", "internal", "intranet", "lan", "home", "corp",
     "arpa", "test", "example", "invalid", "onion"}
)  # fmt: skip
DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?$")
_NUMERIC = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")


@dataclass(frozen=True)
class Target:
    """A URL that passed the syntax checks: normalised host, port and the URL to request."""

    scheme: str
    host: str
    port: int
    address: IPAddress | None
    url: str


def _malformed(url: str, detail: str, reason: str = "malformed") -> RefusedURLError:
    return RefusedURLError(
        f"malformed URL {url!r}: {detail}",
        reason=reason,
        message_de=f"Die Adresse ist ungültig ({detail}). Bitte die vollständige http(s)-Adresse "
        "angeben, wie sie im Browser erscheint.",
    )


def parse_target(url: str) -> Target:
    """Parse `url` strictly; refuse anything a browser, httpx and glibc could read differently."""
    url = url.strip(" \t\r\n")
    if any((c.isspace() and c != " ") or unicodedata.category(c).startswith("C") for c in url):
        raise _malformed(url, "Leer- oder Steuerzeichen", "whitespace")
    if "\\" in url:
        raise _malformed(url, "umgekehrter Schrägstrich", "backslash")
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme not in DEFAULT_PORTS:
        raise RefusedURLError(
            f"scheme {scheme or url[:12]!r} refused",
            reason="scheme",
            message_de="Nur http- und https-Adressen werden abgerufen.",
        )
    if not url[len(scheme) + 1 :].startswith("//"):
        raise _malformed(url, "nach „http:“ fehlt „//“")
    rest = url[len(scheme) + 3 :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if " " in url[: len(scheme) + 3 + len(authority)]:
        raise _malformed(url, "Leerzeichen im Servernamen", "whitespace")
    path = rest[len(authority) :].split("#", 1)[0].replace(" ", "%20") or "/"
    if "@" in authority:
        raise RefusedURLError(
            f"userinfo in {url!r} refused",
            reason="userinfo",
            message_de="Adressen mit Zugangsdaten (benutzer@server) werden nicht abgerufen.",
        )
    host_text, port = _split_port(url, authority, DEFAULT_PORTS[scheme])
    host, address = parse_host(host_text)
    netloc = f"[{host}]" if isinstance(address, ipaddress.IPv6Address) else host
    if port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return Target(scheme, host, port, address, f"{scheme}://{netloc}{path}")


def _split_port(url: str, authority: str, default: int) -> tuple[str, int]:
    if authority.startswith("["):
        host, sep, after = authority[1:].partition("]")
        if not sep or (after and not after.startswith(":")):
            raise _malformed(url, "eckige Klammern")
        if ":" not in host:
            raise _malformed(url, "eckige Klammern ohne IPv6-Adresse", "odd-ip")
        port_text = after[1:]
    else:
        if authority.count(":") > 1:
            raise _malformed(url, "mehrere Doppelpunkte")
        host, _, port_text = authority.partition(":")
    if not port_text:
        return host, default
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _malformed(url, f"Port {port_text!r}")
    return host, int(port_text)


def parse_host(raw: str) -> tuple[str, IPAddress | None]:
    """Normalise a host to ASCII; an IP literal comes back with its address, a name with None."""
    if not raw:
        raise _malformed(raw, "kein Servername")
    if "%" in raw:
        raise _malformed(raw, "Prozentzeichen oder Zonenangabe im Servernamen", "encoded-host")
    if ":" in raw:
        try:
            v6 = ipaddress.IPv6Address(raw.strip("[]"))
        except ValueError:
            raise _malformed(raw, "ungültige IPv6-Adresse", "odd-ip") from None
        return v6.compressed, v6
    host = _ascii_host(raw.lower())
    labels = host.split(".")
    if _NUMERIC.match(labels[-1]):
        return host, _canonical_ipv4(host)
    if not all(_LABEL.match(label) for label in labels) or len(host) > 253:
        raise _malformed(raw, "ungültiger Servername")
    return host, None


def _ascii_host(host: str) -> str:
    """IDNA 2008 without UTS #46 mapping: `ⓔⓧⓐⓜⓟⓛⓔ.ⓒⓞⓜ` or fullwidth digits are refused."""
    try:
        if not host.isascii():
            host = idna.encode(host, strict=True).decode("ascii")
        elif "xn--" in host:
            idna.decode(host, strict=True)
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _malformed(host, "ungültiger internationaler Servername", "idn") from None
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    return host


def _canonical_ipv4(host: str) -> ipaddress.IPv4Address:
    """Parse like inet_aton (decimal, octal, hex, 1-4 parts) and refuse all but a dotted quad."""
    address = inet_aton(host)
    if address is None:
        raise _malformed(host, "ungültige IP-Adresse", "odd-ip")
    if str(address) != host:
        raise RefusedURLError(
            f"unusual IPv4 spelling {host!r} (= {address}) refused",
            reason="odd-ip",
            message_de=f"Die IP-Adresse „{host}“ ist ungewöhnlich geschrieben und wird nicht "
            "abgerufen; bitte den Servernamen angeben.",
        )
    return address


def inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """The address glibc's inet_aton would read from `text`, or None if it reads none."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        try:
            if part[:2] in ("0x", "0X"):
                numbers.append(int(part[2:] or "0", 16))
            elif part.startswith("0") and len(part) > 1:
                numbers.append(int(part[1:], 8))
            else:
                numbers.append(int(part, 10) if part.isascii() else -1)
        except ValueError:
            return None
    *head, last = numbers
    if any(not 0 <= n <= 255 for n in head) or not 0 <= last < 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (24 - 8 * index)
    return ipaddress.IPv4Address(value)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal_reason(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address (a short label), or None if it is one."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return refusal_reason(inner)
    if isinstance(address, ipaddress.IPv4Address):
        return next((label for net, label in REFUSED_V4 if address in net), None)
    label = next((label for net, label in REFUSED_V6 if address in net), None)
    if label is None and address not in GLOBAL_UNICAST_V6:
        label = "reserved"
    return label


def is_metadata(address: IPAddress) -> bool:
    """True for cloud metadata endpoints, also when wrapped in an IPv6 address."""
    return address in METADATA_ADDRESSES or embedded_ipv4(address) in METADATA_ADDRESSES


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for `host` (TCP only)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressPolicy:
    """Decides which hosts and resolved addresses the fetcher may connect to."""

    def __init__(self, allow: Iterable[str], resolver: Resolver | None = None) -> None:
        entries = [a.strip().strip("[]").lower() for a in allow if a.strip()]
        self.allow_nets = [ipaddress.ip_network(a, strict=False) for a in entries if _is_net(a)]
        self.allow_hosts = {a.rstrip(".") for a in entries if not _is_net(a)}
        self.resolver = resolver or system_resolver

    def check_target(self, target: Target) -> list[IPAddress]:
        """Resolve and check the target's host; the addresses that may be connected to."""
        return self.addresses_for(target.host, target.port)

    def addresses_for(self, raw_host: str, port: int) -> list[IPAddress]:
        """Resolve `raw_host` once and check every address; raise `RefusedURLError` if any fails."""
        host, literal = parse_host(raw_host)
        named = host in self.allow_hosts
        if literal is None:
            self._check_name(host, named)
        addresses = [literal] if literal is not None else self._resolve(host, port)
        for address in addresses:
            self._check_address(host, address, named)
        return addresses

    def _check_name(self, host: str, named: bool) -> None:
        if host in METADATA_HOSTS:
            raise _refused(host, "metadata", "einen Cloud-Metadatendienst")
        tld = host.rsplit(".", 1)[-1]
        if not named and ("." not in host or tld in INTERNAL_SUFFIXES):
            raise RefusedURLError(
                f"internal host name {host!r} refused",
                reason="internal-name",
                message_de=f"„{host}“ ist ein interner Servername und wird nicht abgerufen; "
                "bitte die öffentliche Adresse (mit Domain) angeben.",
            )

    def _check_address(self, host: str, address: IPAddress, named: bool) -> None:
        if is_metadata(address):
            raise _refused(f"{host} ({address})", "metadata", "einen Cloud-Metadatendienst")
        if named or self._in_allowed_net(address):
            return
        reason = refusal_reason(address)
        if reason is not None:
            what = host if host == str(address) else f"{host} ({address})"
            raise _refused(what, reason, f"ein internes oder reserviertes Netz ({reason})")

    def _in_allowed_net(self, address: IPAddress) -> bool:
        candidates = [address, embedded_ipv4(address)]
        return any(a in net for a in candidates if a is not None for net in self.allow_nets)

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            answers = self.resolver(host, port)
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in answers]
        except (OSError, UnicodeError, ValueError) as exc:
            addresses, detail = [], str(exc)
        else:
            detail = "no addresses"
        if not addresses:
            raise UnresolvableHostError(
                f"cannot resolve {host}: {detail}",
                reason="unresolvable",
                message_de=f"Der Server „{host}“ ist nicht auffindbar (DNS); die Adresse kann "
                "so nicht geprüft und nicht abgerufen werden.",
            )
        return list(dict.fromkeys(addresses))


def _refused(what: str, reason: str, target_de: str) -> RefusedURLError:
    return RefusedURLError(
        f"{what} refused: {reason}",
        reason=reason,
        message_de=f"Die Adresse zeigt auf {target_de} und wird nicht abgerufen.",
    )


def _is_net(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True
