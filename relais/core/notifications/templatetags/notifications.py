from django import template

from relais.core.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications_count(user) -> int:
    """``{% unread_notifications_count user as unread %}`` for the header's badge."""
    return unread_count(user=user)
