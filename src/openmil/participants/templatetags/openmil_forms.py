from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def fields_named(form: Any, names: str) -> list[Any]:
    """The bound fields of `form` listed in `names` (comma-separated) that exist."""
    return [form[name] for name in names.split(",") if name in form.fields]
