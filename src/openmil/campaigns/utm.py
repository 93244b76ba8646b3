"""UTM-tagged share links, and the tags kept from an incoming visit."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: The UTM parameters kept from a visit, in the order they are written.
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
_TAG = re.compile(r"^[\w.\-]{1,100}$")

#: How each platform shares a link: its share-intent address, `{url}` being
#: the (encoded) tagged link. Platforms without one get the tagged link only.
SHARE_INTENTS: dict[str, str] = {
    "facebook": "https://www.facebook.com/sharer/sharer.php?u={url}",
    "x": "https://x.com/intent/post?url={url}",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url={url}",
    "whatsapp": "https://wa.me/?text={url}",
    "telegram": "https://t.me/share/url?url={url}",
    "bluesky": "https://bsky.app/intent/compose?text={url}",
}


def tagged_url(base: str, *, platform: str, campaign: str, language: str) -> str:
    """`base` with utm_source=platform, utm_medium=social, utm_campaign=slug and
    utm_content=language; existing query parameters are kept, UTM ones
    replaced."""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in UTM_KEYS]
    query += [
        ("utm_source", platform),
        ("utm_medium", "social"),
        ("utm_campaign", campaign),
        ("utm_content", language),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def share_intent(platform: str, url: str) -> str:
    """The platform's share address for `url`, or `url` itself."""
    pattern = SHARE_INTENTS.get(platform)
    if pattern is None:
        return url
    return pattern.format(url=urlencode({"": url})[1:])


def clean_tags(params: dict[str, str]) -> dict[str, str]:
    """The well-formed UTM tags among request parameters (letters, digits,
    dot, dash, underscore; at most 100 characters), lower-cased."""
    tags = {}
    for key in UTM_KEYS:
        value = str(params.get(key, "")).strip()
        if value and _TAG.match(value):
            tags[key] = value.lower()
    return tags
