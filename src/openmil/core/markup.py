"""User content written in Markdown, rendered to HTML that is safe to show.

One mechanism for every app: markdown-it-py with raw HTML switched off,
then nh3 (ammonia) keeps only harmless tags and attributes and drops
`javascript:` and other unsafe link schemes.
"""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> str:
    return nh3.clean(_md.render(text or ""), link_rel="noopener noreferrer nofollow")
