"""Roles and permissions in templates: ``{% load access %}{% if user|can:"training.manage" %}``,
``{{ user|role_label:request.workspace }}``."""

from django import template

from relais.core.accounts.permissions import user_has_permission
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import roles_held

register = template.Library()


@register.filter
def can(user, permission: str) -> bool:
    """Whether a role ``user`` holds (anywhere) grants ``permission``."""
    return user_has_permission(user, permission)


@register.filter
def role_label(user, workspace=None) -> str:
    """The names of the roles ``user`` holds in ``workspace`` (anywhere when none is given)."""
    if user is None or not user.is_authenticated:
        return ""
    held = roles_held(user, workspace=workspace or None)
    return ", ".join(str(Role(role).label) for role in Role.values if role in held)
