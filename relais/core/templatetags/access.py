"""Permission checks in templates: ``{% load access %}{% if user|can:"training.manage" %}``."""

from django import template

from relais.core.accounts.permissions import user_has_permission

register = template.Library()


@register.filter
def can(user, permission: str) -> bool:
    """Whether a role ``user`` holds (anywhere) grants ``permission``."""
    return user_has_permission(user, permission)
