"""`{% load markup %}{{ text|markdown }}`: user Markdown as safe HTML."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from openmil.core.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: object) -> SafeString:
    # render_markdown sanitises its output: raw HTML is off, nh3 cleans.
    return mark_safe(render_markdown(str(value or "")))  # noqa: S308
