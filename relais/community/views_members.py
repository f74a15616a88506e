"""Members' pages: sign-up, e-mail verification, password reset, profile and avatar, data
download and account deletion; and the moderators' member pages with sanctions.

Thin views over ``services.signup``, ``.profile``, ``.sanctions`` and ``.gdpr``. Every
record is looked up in the community of the request (another community's member or sanction
is *not found*); a GET never writes (downloads of one's data are POSTs, audited).
"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from relais.community.forms_members import (
    AvatarForm,
    DeleteAccountForm,
    EmailForm,
    LiftForm,
    MemberSearchForm,
    NewPasswordForm,
    ProfileForm,
    SanctionForm,
    SignupForm,
)
from relais.community.models import MemberProfile, Sanction
from relais.community.permissions import Permission
from relais.community.services import gdpr, sanctions, signup
from relais.community.services import profile as profile_services
from relais.community.services._common import profile_of
from relais.community.views import CommunityView, _login_redirect
from relais.core.downloads import attachment
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.notifications.selectors import notification_preference_get
from relais.core.web import paginate, submit


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "inconnue"


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Sign-up and verification ------------------------------------------------------------


class SignupView(CommunityView):
    template = "community/members/signup.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("community:join")
        return self.render(self.template, {"form": SignupForm(), "noindex": True})

    def post(self, request):
        if request.user.is_authenticated:
            return redirect("community:join")
        form = SignupForm(request.POST)
        if request.POST.get("website"):  # the honeypot: a robot; say nothing, create nothing
            return redirect("community:signup-sent")
        email = request.POST.get("email", "")
        try:
            signup.throttle(scope="signup", ip=_ip(request), email=email)
        except ValidationError as error:
            form.is_valid()
            form.add_error(None, error)
            return self.render(self.template, {"form": form, "noindex": True}, status=429)
        profile = submit(
            form,
            lambda: signup.member_signup(
                community=self.community,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                branch=form.cleaned_data["branch"],
                accept_charter=form.cleaned_data["accept_charter"],
                base_url=_base_url(request),
            ),
        )
        if profile:
            return redirect("community:signup-sent")
        return self.render(self.template, {"form": form, "noindex": True}, status=400)


class SignupSentView(CommunityView):
    def get(self, request):
        return self.render("community/members/signup_sent.html", {"noindex": True})


class SignupVerifyView(CommunityView):
    """The link of the e-mail: a page with a button (the GET writes nothing), then the POST
    marks the address verified."""

    template = "community/members/verify.html"

    def _check(self, token):
        try:
            return signup.verification_profile(community=self.community, token=token), ""
        except ValidationError as error:
            return None, " ".join(error.messages)

    def get(self, request, token):
        profile, error = self._check(token)
        return self.render(
            self.template,
            {"target": profile, "error": error, "noindex": True},
            status=400 if error else 200,
        )

    def post(self, request, token):
        try:
            signup.email_verify(community=self.community, token=token)
        except ValidationError as error:
            return self.render(
                self.template, {"error": " ".join(error.messages), "noindex": True}, status=400
            )
        messages.success(request, _("Votre adresse est confirmée : vous pouvez publier."))
        if request.user.is_authenticated:
            return redirect("community:home")
        return redirect(reverse("accounts:login") + "?next=" + reverse("community:home"))


class VerificationResendView(CommunityView):
    http_method_names = ["post"]

    def post(self, request):
        profile = profile_of(request.user, self.community)
        if profile is None:
            return _login_redirect(request)
        try:
            signup.throttle(scope="resend", ip=_ip(request), email=request.user.email)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("community:profile")
        if signup.verification_resend(profile=profile, base_url=_base_url(request)):
            messages.success(request, _("Un nouveau lien vous a été envoyé."))
        return redirect("community:profile")


# --- Password reset ----------------------------------------------------------------------


class PasswordResetView(CommunityView):
    template = "community/members/password_reset.html"

    def get(self, request):
        return self.render(self.template, {"form": EmailForm(), "noindex": True})

    def post(self, request):
        form = EmailForm(request.POST)
        if not form.is_valid():
            return self.render(self.template, {"form": form, "noindex": True}, status=400)
        try:
            signup.throttle(scope="reset", ip=_ip(request), email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(self.template, {"form": form, "noindex": True}, status=429)
        signup.password_reset_request(
            community=self.community, email=form.cleaned_data["email"], base_url=_base_url(request)
        )
        return self.render(self.template, {"sent": True, "noindex": True})


class PasswordResetConfirmView(CommunityView):
    template = "community/members/password_reset_confirm.html"

    def _user(self, token):
        try:
            return signup.password_reset_user(community=self.community, token=token), ""
        except ValidationError as error:
            return None, " ".join(error.messages)

    def get(self, request, reset_token):
        user, error = self._user(reset_token)
        context = {"form": NewPasswordForm() if user else None, "error": error, "noindex": True}
        return self.render(self.template, context, status=400 if error else 200)

    def post(self, request, reset_token):
        user, error = self._user(reset_token)
        if error:
            return self.render(self.template, {"error": error, "noindex": True}, status=400)
        form = NewPasswordForm(request.POST)
        done = submit(
            form,
            lambda: signup.password_reset_set(
                community=self.community,
                token=reset_token,
                password=form.cleaned_data["new_password1"],
            ),
        )
        if done:
            messages.success(request, _("Votre mot de passe est changé : connectez-vous."))
            return redirect("accounts:login")
        return self.render(self.template, {"form": form, "noindex": True}, status=400)


# --- The member's own pages --------------------------------------------------------------


class _OwnProfileView(CommunityView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        return super().dispatch(request, *args, **kwargs)

    def own_profile(self):
        found = profile_of(self.request.user, self.community)
        if found is None or found.deleted_at is not None:
            return None
        return found


class ProfileView(_OwnProfileView):
    template = "community/members/profile.html"

    def page(self, me, form, status=200):
        return self.render(
            self.template,
            {
                "me": me,
                "form": form,
                "avatar_form": AvatarForm(),
                "refusal": sanctions.posting_refusal(me),
                "current_sanctions": sanctions.active_sanctions(profile=me),
                "noindex": True,
            },
            status=status,
        )

    def get(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        preference = notification_preference_get(user=request.user)
        form = ProfileForm(
            initial={
                "display_name": me.display_name,
                "branch": me.branch,
                "notify_in_app": me.notify_in_app,
                "email_frequency": preference.email_frequency,
                "email_consent": bool(me.person and me.person.consent_email),
            }
        )
        return self.page(me, form)

    def post(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        form = ProfileForm(request.POST)
        done = submit(
            form,
            lambda: profile_services.profile_update(
                user=request.user,
                profile=me,
                display_name=form.cleaned_data["display_name"],
                branch=form.cleaned_data["branch"],
                notify_in_app=form.cleaned_data["notify_in_app"],
                email_frequency=form.cleaned_data["email_frequency"],
                email_consent=form.cleaned_data["email_consent"],
            ),
        )
        if done:
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("community:profile")
        me.refresh_from_db()
        return self.page(me, form, status=400)


class AvatarView(_OwnProfileView):
    http_method_names = ["post"]

    def post(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        if request.POST.get("remove"):
            profile_services.avatar_remove(user=request.user, profile=me)
            messages.success(request, _("Votre avatar est retiré."))
            return redirect("community:profile")
        form = AvatarForm(request.POST, request.FILES)
        done = submit(
            form,
            lambda: profile_services.avatar_set(
                user=request.user, profile=me, upload=form.cleaned_data["avatar"]
            ),
        )
        if done:
            messages.success(request, _("Votre avatar est enregistré."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("community:profile")


class MemberAvatarView(CommunityView):
    """A member's avatar (``?grand`` not needed: the thumbnail, or the full image at
    ``avatar/grand/``), to whoever may read the community."""

    large = False

    def get(self, request, member_id):
        if not self.can(Permission.READ):
            raise NotFound(_("Avatar introuvable."))
        member = MemberProfile.objects.filter(
            community=self.community, public_id=member_id, deleted_at__isnull=True
        ).first()
        field = (
            None if member is None else (member.avatar if self.large else member.avatar_thumbnail)
        )
        if not field:
            raise Http404
        response = FileResponse(field.open("rb"), content_type="image/png")
        response["Cache-Control"] = "public, max-age=3600"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


class DataView(_OwnProfileView):
    """« Mes données »: download (JSON or readable) and delete the account."""

    def get(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        return self.render("community/members/data.html", {"me": me, "noindex": True})


class DataExportView(_OwnProfileView):
    http_method_names = ["post"]

    def post(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        data = gdpr.member_export(user=request.user, profile=me)
        fmt = "html" if request.POST.get("format") == "html" else "json"
        gdpr.export_recorded(user=request.user, profile=me, fmt=fmt)
        name = f"mes-donnees-{self.community.slug}"
        if fmt == "json":
            content = json.dumps(data, ensure_ascii=False, indent=2)
            response = HttpResponse(content, content_type="application/json; charset=utf-8")
            return attachment(response, f"{name}.json")
        html = render_to_string("community/members/export.html", {"data": data})
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        return attachment(response, f"{name}.html")


class AccountDeleteView(_OwnProfileView):
    template = "community/members/delete.html"

    def get(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        return self.render(self.template, {"me": me, "form": DeleteAccountForm(), "noindex": True})

    def post(self, request):
        me = self.own_profile()
        if me is None:
            return redirect("community:join")
        form = DeleteAccountForm(request.POST)
        done = submit(
            form,
            lambda: gdpr.member_delete(
                user=request.user,
                profile=me,
                password=form.cleaned_data["password"],
                confirm=form.cleaned_data["confirm"],
                erase_posts=form.cleaned_data["erase_posts"],
            ),
        )
        if done:
            request.user.refresh_from_db()
            if not request.user.is_active:
                logout(request)
            messages.success(request, _("Votre compte de membre est supprimé."))
            return redirect("community:home")
        return self.render(self.template, {"me": me, "form": form, "noindex": True}, status=400)


# --- Moderators: members and sanctions ---------------------------------------------------


class _ModeratorView(CommunityView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        self.community = self.get_community(request)
        if not self.can(Permission.MODERATE):
            raise AccessDenied(_("Votre rôle ne permet pas cette action dans cette communauté."))
        return super().dispatch(request, *args, **kwargs)

    def get_community(self, request):
        from relais.community import selectors

        return selectors.community_for_request(request)

    def member(self, member_id) -> MemberProfile:
        found = (
            MemberProfile.objects.select_related("user", "community")
            .filter(community=self.community, public_id=member_id)
            .first()
        )
        if found is None:
            raise NotFound(_("Membre introuvable."))
        return found


class MemberListView(_ModeratorView):
    def get(self, request):
        form = MemberSearchForm(request.GET)
        form.is_valid()
        query = (form.cleaned_data.get("q") or "").strip()
        members = MemberProfile.objects.filter(community=self.community).order_by("display_name")
        if query:
            members = members.filter(Q(display_name__icontains=query))
        return self.render(
            "community/members/member_list.html",
            {"page_obj": paginate(request, members, per_page=50), "query": query, "noindex": True},
        )


class MemberDetailView(_ModeratorView):
    def get(self, request, member_id):
        member = self.member(member_id)
        history = Sanction.objects.filter(profile=member).select_related("moderator", "lifted_by")
        return self.render(
            "community/members/member_detail.html",
            {
                "member": member,
                "history": history,
                "active_ids": {s.pk for s in sanctions.active_sanctions(profile=member)},
                "next_days": sanctions.escalated_days(self.community, sanctions.next_step(member)),
                "noindex": True,
            },
        )


class MemberSanctionView(_ModeratorView):
    template = "community/members/sanction_form.html"

    def page(self, member, form, status=200):
        step = sanctions.next_step(member)
        return self.render(
            self.template,
            {
                "member": member,
                "form": form,
                "step": step,
                "next_days": sanctions.escalated_days(self.community, step),
                "noindex": True,
            },
            status=status,
        )

    def get(self, request, member_id):
        return self.page(self.member(member_id), SanctionForm())

    def post(self, request, member_id):
        member = self.member(member_id)
        form = SanctionForm(request.POST)
        done = submit(
            form,
            lambda: sanctions.sanction_apply(
                user=request.user,
                profile=member,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                days=form.days(),
            ),
        )
        if done:
            messages.success(
                request,
                _("%(kind)s appliquée (%(until)s) ; le membre en est informé.")
                % {"kind": done.get_kind_display(), "until": sanctions.until_text(done)},
            )
            return redirect("community:member-detail", member_id=member.public_id)
        return self.page(member, form, status=400)


class SanctionLiftView(_ModeratorView):
    template = "community/members/lift_form.html"

    def sanction(self, sanction_id) -> Sanction:
        found = (
            Sanction.objects.select_related("profile")
            .filter(community=self.community, public_id=sanction_id)
            .first()
        )
        if found is None:
            raise NotFound(_("Sanction introuvable."))
        return found

    def get(self, request, sanction_id):
        sanction = self.sanction(sanction_id)
        return self.render(
            self.template, {"sanction": sanction, "form": LiftForm(), "noindex": True}
        )

    def post(self, request, sanction_id):
        sanction = self.sanction(sanction_id)
        form = LiftForm(request.POST)
        done = submit(
            form,
            lambda: sanctions.sanction_lift(
                user=request.user,
                sanction=sanction,
                reason=form.cleaned_data["reason"],
                mistaken=form.cleaned_data["mistaken"],
            ),
        )
        if done:
            messages.success(request, _("La sanction est levée ; le membre en est informé."))
            if sanction.profile is not None:
                return redirect("community:member-detail", member_id=sanction.profile.public_id)
            return redirect("community:member-list")
        return self.render(
            self.template, {"sanction": sanction, "form": form, "noindex": True}, status=400
        )
