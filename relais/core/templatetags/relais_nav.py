"""``{% nav_entries as items %}``: the navigation entries of the current request."""

from django import template

from relais.core.navigation import nav_entries_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_entries(context, section: str = "main", public: bool | None = None):
    """The entries the current user may see (public ones for an anonymous visitor)."""
    request = context.get("request")
    if request is None:
        return []
    return nav_entries_for_request(request, section=section, public=public)
