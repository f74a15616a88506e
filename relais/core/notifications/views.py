from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from relais.core.notifications.forms import NotificationPreferenceForm
from relais.core.notifications.selectors import (
    notification_get,
    notification_preference_get,
    notifications_for_user,
    unread_count,
)
from relais.core.notifications.services import (
    notification_mark_read,
    notification_preferences_update,
    notifications_mark_all_read,
)
from relais.core.web import paginate


class NotificationListView(LoginRequiredMixin, View):
    """The user's notifications, newest first, with their e-mail preference."""

    def get(self, request):
        preference = notification_preference_get(user=request.user)
        page = paginate(
            request, notifications_for_user(user=request.user), per_page=settings.RELAIS_PAGE_SIZE
        )
        return render(
            request,
            "notifications/notification_list.html",
            {
                "page_obj": page,
                "unread": unread_count(user=request.user),
                "preference_form": NotificationPreferenceForm(
                    initial={"email_frequency": preference.email_frequency}
                ),
            },
        )


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification read, then go back to the list (or open its link)."""

    def post(self, request, public_id):
        notification = notification_mark_read(
            user=request.user, notification=notification_get(user=request.user, public_id=public_id)
        )
        if request.POST.get("open") and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}
        ):
            return redirect(notification.url)
        return redirect("notifications:list")


class NotificationsMarkAllReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = notifications_mark_all_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d notification marquée comme lue.",
                "%(count)d notifications marquées comme lues.",
                count,
            )
            % {"count": count}
            if count
            else _("Aucune notification n'était non lue."),
        )
        return redirect("notifications:list")


class NotificationPreferencesView(LoginRequiredMixin, View):
    def post(self, request):
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            preference = notification_preference_get(user=request.user)
            notification_preferences_update(
                user=request.user,
                email_frequency=form.cleaned_data["email_frequency"],
                muted_categories=preference.muted_categories or [],
            )
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
        else:
            messages.error(request, _("Choix de fréquence des e-mails invalide."))
        return redirect("notifications:list")
