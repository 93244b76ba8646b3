from django import template

from openmil.core.codes import country_name as _country_name
from openmil.core.codes import language_name as _language_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return _country_name(code)


@register.filter
def language_name(code: str) -> str:
    return _language_name(code)
