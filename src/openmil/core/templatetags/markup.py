"""`{% load markup %}{{ text|markdown }}`: user content as safe HTML."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from openmil.core.markup import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3
