"""`{% load markup %}{{ text|markdown }}`: user Markdown, rendered safely."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from openmil.core.markup import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    # render_markdown escapes raw HTML and sanitises the result with nh3.
    return mark_safe(render_markdown(str(text or "")))  # noqa: S308
