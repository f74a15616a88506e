"""Pages around posts: attachments (served with safe headers), tags, watching topics and
categories, the e-mail digest and its unsubscribe link, the edit history and merging topics
(moderators). Thin views: a selector reads (and checks access), a service writes."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from relais.community import selectors, seo
from relais.community.access import ensure_can_moderate
from relais.community.forms import DigestForm, MergeForm, TagForm
from relais.community.models import Access
from relais.community.permissions import Permission
from relais.community.services._common import profile_of
from relais.community.services.digest import digest_frequency_set, profile_for_unsubscribe_token
from relais.community.services.drafts import draft_discard, draft_save
from relais.community.services.members import member_reading_note
from relais.community.services.notifications import subscription_set
from relais.community.services.tags import tag_create, tag_delete
from relais.community.services.topic_merge import topic_merge
from relais.community.views import TOPICS_PER_PAGE, CommunityView, _login_redirect
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.web import paginate, submit

# Served inline only when we made sure it is a raster image; everything else downloads.
_INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def _safe_file_response(field, *, content_type: str, filename: str, inline: bool, public: bool):
    response = FileResponse(
        field.open("rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, a file can run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


class AttachmentView(CommunityView):
    """A post's file (or its thumbnail), to whoever may read the post."""

    thumbnail = False

    def get(self, request, attachment_id):
        attachment = selectors.attachment_get(
            user=request.user, community=self.community, public_id=attachment_id
        )
        public = attachment.post.topic.category.read_access == Access.PUBLIC
        if self.thumbnail:
            if not attachment.thumbnail:
                raise Http404(_("Vignette introuvable."))
            return _safe_file_response(
                attachment.thumbnail,
                content_type="image/png",
                filename="vignette.png",
                inline=True,
                public=public,
            )
        return _safe_file_response(
            attachment.file,
            content_type=attachment.content_type,
            filename=attachment.original_name,
            inline=attachment.is_image and attachment.content_type in _INLINE_TYPES,
            public=public,
        )


class TagDetailView(CommunityView):
    """The topics of a tag in every category the visitor reads (indexed when public)."""

    def get(self, request, tag_slug):
        tag = selectors.tag_get(community=self.community, slug=tag_slug)
        page_obj = paginate(
            request, selectors.topics_of_tag(user=request.user, tag=tag), per_page=TOPICS_PER_PAGE
        )
        path = reverse("community:tag-detail", kwargs={"tag_slug": tag.slug})
        if page_obj.number > 1:
            path += f"?page={page_obj.number}"
        return self.render(
            "community/tag_detail.html",
            {
                "tag": tag,
                "page_obj": page_obj,
                "canonical": self.absolute(path),
                "noindex": not page_obj.object_list,
                "meta_description": seo.description(
                    _("Questions et réponses sur « %(tag)s » dans %(community)s.")
                    % {"tag": tag.name, "community": self.community.name}
                ),
            },
        )


class TagsManageView(CommunityView):
    """The community's tag list (moderators and staff): add and remove."""

    def _guard(self, request):
        if not request.user.is_authenticated:
            raise AccessDenied(_("Connectez-vous pour continuer."))
        if not self.can(Permission.MODERATE):
            raise AccessDenied(_("Votre rôle ne permet pas cette action dans cette communauté."))

    def page(self, form, status=200):
        return self.render(
            "community/tags_manage.html",
            {"tags": selectors.tags_of(community=self.community), "form": form, "noindex": True},
            status=status,
        )

    def get(self, request):
        self._guard(request)
        return self.page(TagForm())

    def post(self, request):
        self._guard(request)
        if request.POST.get("delete"):
            tag = selectors.tag_get(community=self.community, slug=request.POST["delete"])
            tag_delete(user=request.user, tag=tag)
            messages.success(request, _("L'étiquette est supprimée."))
            return redirect("community:tags-manage")
        form = TagForm(request.POST)
        tag = submit(
            form,
            lambda: tag_create(
                user=request.user, community=self.community, name=form.cleaned_data["name"]
            ),
        )
        if tag:
            messages.success(request, _("L'étiquette est ajoutée."))
            return redirect("community:tags-manage")
        return self.page(form, status=400)


class WatchView(CommunityView):
    """Watch, or stop watching, a topic or a category (POST ``watch=1`` or ``0``)."""

    http_method_names = ["post"]

    def post(self, request, topic_id=None, category_slug=""):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        topic = category = None
        if topic_id is not None:
            topic = selectors.topic_get(
                user=request.user, community=self.community, public_id=topic_id
            )
            back = seo.topic_path(topic)
        else:
            category = selectors.category_get(
                user=request.user, community=self.community, slug=category_slug
            )
            back = reverse("community:category-detail", kwargs={"category_slug": category.slug})
        try:
            watching = subscription_set(
                user=request.user,
                community=self.community,
                topic=topic,
                category=category,
                watch=request.POST.get("watch") != "0",
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Vous suivez désormais ces nouveautés.")
                if watching
                else _("Vous ne suivez plus ces nouveautés."),
            )
        return redirect(back)


class SubscriptionsView(CommunityView):
    """« Mes abonnements »: what the member watches, and their e-mail digest."""

    def dispatch(self, request, *args, **kwargs):
        self.community = selectors.community_for_request(request)
        if not request.user.is_authenticated:
            return _login_redirect(request)
        self.me = profile_of(request.user, self.community)
        if self.me is None:
            return redirect("community:join")
        return super().dispatch(request, *args, **kwargs)

    def page(self, form, status=200):
        topics, categories = selectors.subscriptions_of(
            user=self.request.user, community=self.community
        )
        return self.render(
            "community/subscriptions.html",
            {
                "me": self.me,
                "form": form,
                "topics": topics,
                "categories": categories,
                "noindex": True,
            },
            status=status,
        )

    def get(self, request):
        return self.page(DigestForm(initial={"digest_frequency": self.me.digest_frequency}))

    def post(self, request):
        me = self.me
        form = DigestForm(request.POST)
        done = submit(
            form,
            lambda: digest_frequency_set(
                profile=me,
                frequency=form.cleaned_data["digest_frequency"],
                actor=request.user,
                source="profile",
            ),
        )
        if done:
            messages.success(request, _("Votre choix est enregistré."))
            return redirect("community:subscriptions")
        return self.page(form, status=400)


@method_decorator(csrf_exempt, name="dispatch")  # the signed link is the credential (RFC 8058)
class DigestUnsubscribeView(CommunityView):
    """The digest's unsubscribe link: a page with one button, and the mail clients'
    one-click POST. A GET never writes."""

    feature = ""

    def _profile(self, token):
        try:
            profile = profile_for_unsubscribe_token(token)
        except ValidationError as error:
            raise NotFound(error.messages[0]) from None
        if profile.community_id != self.community.pk:
            raise NotFound(_("Ce lien de désinscription n'est pas valide."))
        return profile

    def get(self, request, unsubscribe_token):
        profile = self._profile(unsubscribe_token)
        return self.render(
            "community/digest_unsubscribe.html",
            {"done": profile.digest_frequency == "never", "noindex": True},
        )

    def post(self, request, unsubscribe_token):
        profile = self._profile(unsubscribe_token)
        digest_frequency_set(
            profile=profile, frequency="never", actor=None, source="unsubscribe-link"
        )
        return self.render("community/digest_unsubscribe.html", {"done": True, "noindex": True})


class PostHistoryView(CommunityView):
    """The versions of a post, with who changed it and why (moderators)."""

    def get(self, request, post_id):
        post = selectors.post_get(user=request.user, community=self.community, public_id=post_id)
        if not request.user.is_authenticated:
            return _login_redirect(request)
        revisions = selectors.post_revisions(user=request.user, post=post)
        return self.render(
            "community/post_history.html",
            {"post": post, "topic": post.topic, "revisions": revisions, "noindex": True},
        )


def _topic_from_reference(user, community, reference: str):
    """A topic the moderator may read, named by its address or its identifier as pasted."""
    for part in reversed([p for p in (reference or "").strip().split("/") if p]):
        try:
            public_id = uuid.UUID(part)
        except ValueError:
            continue
        try:
            return selectors.topic_get(user=user, community=community, public_id=public_id)
        except NotFound:
            return None
    return None


class TopicMergeView(CommunityView):
    def _setup(self, request, topic_id):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        ensure_can_moderate(request.user, topic.category)
        return topic

    def get(self, request, topic_id):
        topic = self._setup(request, topic_id)
        return self.render("community/merge_form.html", {"topic": topic, "form": MergeForm()})

    def post(self, request, topic_id):
        topic = self._setup(request, topic_id)
        form = MergeForm(request.POST)
        target = None
        if form.is_valid():
            target = _topic_from_reference(
                request.user, self.community, form.cleaned_data["target"]
            )
            if target is None:
                form.add_error("target", _("Sujet de destination introuvable."))
        merged = None
        if target is not None:
            merged = submit(
                form,
                lambda: topic_merge(
                    user=request.user,
                    source=topic,
                    target=target,
                    reason=form.cleaned_data["reason"],
                ),
            )
        if merged:
            messages.success(request, _("Les sujets sont fusionnés."))
            return redirect(seo.topic_path(merged))
        return self.render("community/merge_form.html", {"topic": topic, "form": form}, status=400)


class ReadingView(CommunityView):
    """The reading beacon of topic pages (``community/reading.js``): the seconds the page was
    visible, credited to the member's reading time (capped by ``member_reading_note``). A POST
    with the CSRF token; visitors and non-members have no reading time to count."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            credited = member_reading_note(
                user=request.user, community=self.community, seconds=request.POST.get("seconds")
            )
        except AccessDenied:
            return JsonResponse({"credited": 0}, status=403)
        except ValidationError:
            return JsonResponse({"credited": 0}, status=400)
        return JsonResponse({"credited": credited})


class DraftView(CommunityView):
    """Autosave (the forms' script posts here while the member types, and reads JSON back)
    and discard of the member's own draft: of a new topic, or of a reply to ``topic_id``.
    Without JavaScript the « Supprimer le brouillon » button posts here and comes back to the
    form; saving by hand stays the forms' « Enregistrer le brouillon » button."""

    http_method_names = ["post"]

    def post(self, request, topic_id=None):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        topic = None
        back = reverse("community:topic-create")
        if topic_id is not None:
            topic = selectors.topic_get(
                user=request.user, community=self.community, public_id=topic_id
            )
            back = f"{seo.topic_path(topic)}#reply-heading"
        wants_json = "application/json" in request.headers.get("Accept", "")
        if "discard" in request.POST:
            draft_discard(user=request.user, community=self.community, topic=topic)
            message = _("Brouillon supprimé.")
            if wants_json:
                return JsonResponse({"saved": False, "message": message})
            messages.success(request, message)
            return redirect(back)
        try:
            draft = draft_save(
                user=request.user,
                community=self.community,
                topic=topic,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                category_slug=request.POST.get("category", ""),
            )
        except ValidationError as error:
            message = " ".join(error.messages)
            if wants_json:
                return JsonResponse({"saved": False, "message": message}, status=400)
            messages.error(request, message)
            return redirect(back)
        if draft is None:
            message = _("Brouillon vide : rien à enregistrer.")
        else:
            at = timezone.localtime(draft.updated_at).strftime("%H:%M")
            message = _("Brouillon enregistré à %(time)s.") % {"time": at}
        if wants_json:
            return JsonResponse({"saved": draft is not None, "message": message})
        messages.success(request, message)
        return redirect(back)
