"""User content as Markdown, rendered safely.

Raw HTML is off in the parser and the output is sanitised again with nh3
(ammonia), so no script, event handler or `javascript:` link gets through;
links get `rel="noopener noreferrer nofollow"`.
"""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> str:
    return nh3.clean(_md.render(text or ""), link_rel="noopener noreferrer nofollow")
