"""The community's pages: server-rendered, readable without JavaScript, in French.

Thin views: resolve the community of the request, read through the selectors (which check
access), call one service on POST, render. Anonymous visitors get the public layout, signed-in
users the staff one.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from relais.community import selectors, seo
from relais.community.access import (
    can,
    can_moderate,
    can_moderate_some,
    can_post_in,
    ensure_can_moderate,
    moderated_categories,
)
from relais.community.forms import (
    DecideForm,
    EditForm,
    FlagForm,
    JoinForm,
    MoveForm,
    OfficialAnswerForm,
    ReasonForm,
    ReplyForm,
    SearchFilterForm,
    SearchForm,
    TopicForm,
    ValidateForm,
)
from relais.community.models import Access, CategoryKind, Community, OfficialAnswer
from relais.community.permissions import Permission
from relais.community.services import (
    answer_accept,
    answer_validate,
    auto_hide_rule,
    flag_create,
    flag_decide,
    member_join,
    official_answer_publish,
    post_delete,
    post_edit,
    post_like,
    post_reply,
    post_restore,
    post_screen_decide,
    post_wiki_set,
    topic_close,
    topic_create,
    topic_move,
)
from relais.community.services._common import profile_of
from relais.community.services.drafts import draft_get, draft_save
from relais.community.services.forum import topic_view_count
from relais.community.services.members import member_activity_note
from relais.community.services.notifications import quote_markdown
from relais.community.services.searchlog import search_empty_note
from relais.community.services.tags import tag_names
from relais.community.services.wiki import ensure_may_edit_wiki, wiki_abilities
from relais.core.exceptions import AccessDenied
from relais.core.web import paginate, submit

TOPICS_PER_PAGE = 20
ANSWERS_PER_PAGE = 20


class CommunityView(View):
    """Resolves ``self.community`` (404 when the request names none) and renders pages with
    the layout that suits the visitor."""

    # The community module the page belongs to (``Community.features``, switched in the back
    # office): a page of a module turned off is not found.
    feature = "forum"

    def dispatch(self, request, *args, **kwargs):
        self.community = selectors.community_for_request(request)
        # The community's pages wear its body's branding, whoever owns the host (the kernel's
        # context processor honours this; the kernel knows nothing of the community).
        request.branding_organization = self.community.organization
        if self.feature and not self.community.feature_enabled(self.feature):
            raise Http404(_("Ce module de la communauté est désactivé."))
        return super().dispatch(request, *args, **kwargs)

    def can(self, permission: str) -> bool:
        return can(self.request.user, permission, self.community)

    def render(self, template: str, context: dict | None = None, status: int = 200):
        user = self.request.user
        on = self.community.feature_enabled
        context = {
            "community": self.community,
            "base_template": "base.html" if user.is_authenticated else "public_base.html",
            "profile": profile_of(user, self.community),
            # The moderator role (the whole community: members, sanctions, tags) for the
            # layout; ``can_moderate`` is the same, but a topic's page replaces it with
            # ``access.can_moderate`` of the topic's category (category moderators).
            "moderator_role": self.can(Permission.MODERATE),
            "can_moderate": self.can(Permission.MODERATE),
            # The review queue's link, also for category moderators (evaluated when used).
            "moderates_some": lambda: can_moderate_some(user, self.community),
            "can_validate": self.can(Permission.VALIDATE) and on("official_answers"),
            "can_official": self.can(Permission.OFFICIAL) and on("official_answers"),
            "can_post": self.can(Permission.POST),
            "can_flag": self.can(Permission.FLAG) and on("flags"),
            "search_enabled": on("search"),
            "can_kpis": self.can(Permission.KPIS),
            "search_form": SearchForm(),
            **(context or {}),
        }
        return render(self.request, template, context, status=status)

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


def _login_redirect(request):
    return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


class CommunityHomeView(CommunityView):
    def get(self, request):
        categories = list(selectors.categories_for(user=request.user, community=self.community))
        return self.render(
            "community/home.html",
            {
                "themes": [c for c in categories if c.kind == CategoryKind.THEME],
                "branches": [c for c in categories if c.kind == CategoryKind.BRANCH],
                "latest": selectors.topics_latest(user=request.user, community=self.community),
                "unanswered_count": selectors.topics_unanswered(
                    user=request.user, community=self.community
                ).count(),
                "canonical": self.absolute(reverse("community:home")),
                "meta_description": seo.description(
                    self.community.tagline
                    or _("Questions et réponses entre membres, validées par l'organisme.")
                ),
            },
        )


class CategoryDetailView(CommunityView):
    def get(self, request, category_slug):
        category = selectors.category_get(
            user=request.user, community=self.community, slug=category_slug
        )
        tag = None
        if request.GET.get("etiquette"):  # « ?etiquette=<slug> »: this category's topics so tagged
            tag = selectors.tag_get(community=self.community, slug=request.GET["etiquette"])
            topics = selectors.topics_of_tag(user=request.user, tag=tag, category=category)
        else:
            topics = selectors.topics_of_category(user=request.user, category=category)
        page_obj = paginate(request, topics, per_page=TOPICS_PER_PAGE)
        path = reverse("community:category-detail", kwargs={"category_slug": category.slug})
        query = [f"etiquette={tag.slug}"] if tag else []
        if page_obj.number > 1:
            query.append(f"page={page_obj.number}")
        if query:
            path += "?" + "&".join(query)
        return self.render(
            "community/category_detail.html",
            {
                "category": category,
                "tag": tag,
                "tags": selectors.tags_of(community=self.community),
                "watching": selectors.watching(user=request.user, category=category),
                "page_obj": page_obj,
                "can_post_here": can_post_in(request.user, category),
                "canonical": self.absolute(path),
                "noindex": category.read_access != Access.PUBLIC,
                "meta_description": seo.description(category.description or category.name),
            },
        )


class TopicRedirectView(CommunityView):
    """``/sujets/<id>/``: the topic's canonical address, with its slug."""

    def get(self, request, topic_id):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        return redirect(seo.topic_path(_merged_target(topic)), permanent=True)


def _merged_target(topic):
    """The topic a merged topic now lives in (a chain of merges followed to its end)."""
    seen = set()
    while topic.merged_into_id and topic.pk not in seen:
        seen.add(topic.pk)
        topic = topic.merged_into
    return topic


class TopicDetailView(CommunityView):
    def get(self, request, topic_id, topic_slug):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        if topic.merged_into_id:  # merged by a moderator: its replies live at the other address
            return redirect(seo.topic_path(_merged_target(topic)), permanent=True)
        if topic_slug != topic.slug:
            return redirect(seo.topic_path(topic), permanent=True)
        topic_view_count(topic=topic)
        response = self.render_topic(topic)
        profile = profile_of(request.user, self.community)
        if profile is not None:  # the question and the answers of this page were read
            member_activity_note(profile=profile, posts_read=1 + self.answers_shown)
        return response

    def render_topic(self, topic, reply_form=None, status=200):
        request = self.request
        user = request.user
        question = selectors.question_post(topic=topic)
        page_obj = paginate(
            request,
            selectors.answers_of_topic(user=user, topic=topic),
            per_page=ANSWERS_PER_PAGE,
        )
        answers = list(page_obj.object_list)
        self.answers_shown = len(answers)
        accepted = next((p for p in answers if p.pk == topic.accepted_answer_id), None)
        if accepted is None and topic.accepted_answer_id:
            accepted = (
                selectors.answers_of_topic(user=user, topic=topic)
                .filter(pk=topic.accepted_answer_id)
                .first()
            )
        path = seo.topic_path(topic)
        canonical = self.absolute(
            path + (f"?page={page_obj.number}" if page_obj.number > 1 else "")
        )
        visible_answers = [p for p in answers if p.is_visible]
        structured = seo.topic_structured_data(
            topic=topic,
            question=question,
            answers=visible_answers,
            accepted=accepted if accepted is not None and accepted.is_visible else None,
            url=self.absolute(path),
        )
        can_reply = can_post_in(user, topic.category) and not (
            topic.is_closed or topic.is_deleted or topic.is_held
        )
        reply_draft = None
        if can_reply:
            reply_draft = draft_get(user=user, community=self.community, topic=topic)
        if reply_form is None and can_reply:
            reply_form = ReplyForm(initial={"body": self._reply_start(topic, reply_draft)})
        may_make_wiki, can_edit_wikis = wiki_abilities(user, self.community)
        return self.render(
            "community/topic_detail.html",
            {
                "topic": topic,
                "tags": list(topic.tags.order_by("name")),
                "watching": selectors.watching(user=user, topic=topic),
                "question": question,
                "answers": answers,
                "page_obj": page_obj,
                "accepted": accepted,
                "is_topic_author": user.is_authenticated and topic.author_id == user.pk,
                "can_moderate": can_moderate(user, topic.category),
                "can_reply": can_reply,
                "reply_form": reply_form,
                "reply_draft": reply_draft,
                "canonical": canonical,
                "noindex": topic.category.read_access != Access.PUBLIC
                or topic.is_deleted
                or topic.is_held,
                "meta_description": seo.description(topic.excerpt or topic.title),
                "json_ld": seo.json_ld(structured),
                "og_type": "article",
                "reason_form": ReasonForm(),
                "may_make_wiki": may_make_wiki,
                "can_edit_wikis": can_edit_wikis and can_reply,
            },
            status=status,
        )

    def _reply_start(self, topic, draft) -> str:
        """The reply box's first text: the member's draft, then the post they chose to quote
        (``?citer=<message>``), which must be one they may read in this topic."""
        request = self.request
        start = draft.body + "\n\n" if draft is not None else ""
        quoted_id = request.GET.get("citer", "")
        if quoted_id:
            quoted = selectors.post_get(
                user=request.user, community=self.community, public_id=quoted_id
            )
            if quoted.topic_id != topic.pk or not quoted.is_visible:
                raise Http404(_("Message introuvable."))
            name = profile_name(quoted)
            url = f"{seo.topic_path(topic)}#message-{quoted.public_id}"
            start += quote_markdown(post=quoted, author_name=name, url=url)
        return start.lstrip()


def profile_name(post) -> str:
    from relais.community.services._common import author_profile

    profile = author_profile(post)
    return profile.display_name if profile is not None and not profile.deleted_at else ""


class TopicCreateView(CommunityView):
    def _categories(self):
        categories = selectors.categories_for(user=self.request.user, community=self.community)
        return [c for c in categories if can_post_in(self.request.user, c)]

    def _guard(self, request):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if profile_of(request.user, self.community) is None and not self.can(Permission.MODERATE):
            messages.info(request, _("Rejoignez la communauté pour poser une question."))
            return redirect(f"{reverse('community:join')}?next={request.get_full_path()}")
        return None

    def get(self, request, category_slug=""):
        if response := self._guard(request):
            return response
        if category_slug:  # « ask here » from a category: it must be one the user reads
            selectors.category_get(user=request.user, community=self.community, slug=category_slug)
        # ``?q=``: the title typed in the widget's « Poser une question » box; else the
        # member's draft, if they kept one.
        draft = draft_get(user=request.user, community=self.community)
        initial = {"category": category_slug, "title": request.GET.get("q", "")[:200]}
        if draft is not None and not initial["title"]:
            initial = {
                "category": category_slug or draft.category_slug,
                "title": draft.title,
                "body": draft.body,
            }
        form = self._form(initial=initial)
        return self.render("community/topic_form.html", {"form": form, "draft": draft})

    def _form(self, *args, categories=None, **kwargs):
        names = [t.name for t in selectors.tags_of(community=self.community)[:50]]
        categories = self._categories() if categories is None else categories
        return TopicForm(*args, categories=categories, tag_names=names, **kwargs)

    def post(self, request, category_slug=""):
        if response := self._guard(request):
            return response
        categories = self._categories()
        form = self._form(request.POST, request.FILES, categories=categories)
        by_slug = {c.slug: c for c in categories}
        if "save_draft" in request.POST:
            slug = request.POST.get("category", "")
            try:
                draft_save(
                    user=request.user,
                    community=self.community,
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                    category_slug=slug if slug in by_slug else "",
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Votre brouillon est enregistré."))
            return redirect(request.path)
        topic = submit(
            form,
            lambda: topic_create(
                user=request.user,
                category=by_slug[form.cleaned_data["category"]],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                kind=form.cleaned_data["kind"],
                tags=tag_names(form.cleaned_data["tags"]),
                attachments=form.cleaned_data["attachments"],
            ),
        )
        if topic:
            if not _held_message(request, topic.posts.get(position=0)):
                messages.success(request, _("Votre sujet est publié."))
            return redirect(seo.topic_path(topic))
        return self.render("community/topic_form.html", {"form": form}, status=400)


class JoinView(CommunityView):
    def get(self, request):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        return self.render(
            "community/join.html", {"form": JoinForm(), "next": request.GET.get("next", "")}
        )

    def post(self, request):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        form = JoinForm(request.POST)
        profile = submit(
            form,
            lambda: member_join(
                user=request.user,
                community=self.community,
                display_name=form.cleaned_data["display_name"],
                branch=form.cleaned_data["branch"],
                accept_charter=form.cleaned_data["accept_charter"],
            ),
        )
        if profile:
            messages.success(request, _("Bienvenue dans la communauté !"))
            return redirect(_safe_next(request, reverse("community:home")))
        return self.render(
            "community/join.html",
            {"form": form, "next": request.POST.get("next", "")},
            status=400,
        )


class ReplyView(TopicDetailView):
    http_method_names = ["post"]

    def post(self, request, topic_id):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        if not request.user.is_authenticated:
            raise AccessDenied(_("Connectez-vous pour répondre."))
        if "save_draft" in request.POST:
            try:
                draft_save(
                    user=request.user,
                    community=self.community,
                    topic=topic,
                    body=request.POST.get("body", ""),
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Votre brouillon est enregistré."))
            return redirect(f"{seo.topic_path(topic)}#reply-heading")
        form = ReplyForm(request.POST, request.FILES)
        post = submit(
            form,
            lambda: post_reply(
                user=request.user,
                topic=topic,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            ),
        )
        if post:
            if not _held_message(request, post):
                messages.success(request, _("Votre réponse est publiée."))
            return redirect(f"{seo.topic_path(topic)}#message-{post.public_id}")
        return self.render_topic(topic, reply_form=form, status=400)


def _topic_redirect(post):
    return redirect(f"{seo.topic_path(post.topic)}#message-{post.public_id}")


class _PostAction(CommunityView):
    http_method_names = ["post"]

    def post(self, request, post_id):
        post = selectors.post_get(user=request.user, community=self.community, public_id=post_id)
        try:
            self.act(request, post)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return _topic_redirect(post)


class AnswerAcceptView(_PostAction):
    def act(self, request, post):
        answer_accept(user=request.user, post=post)
        messages.success(request, _("Réponse acceptée : la question est résolue."))


class PostLikeView(_PostAction):
    def act(self, request, post):
        post_like(user=request.user, post=post, like=request.POST.get("like") != "0")


class PostDeleteView(_PostAction):
    def act(self, request, post):
        post_delete(user=request.user, post=post, reason=request.POST.get("reason", ""))
        messages.success(request, _("Le message est supprimé ; il peut être restauré."))


class PostWikiView(_PostAction):
    def act(self, request, post):
        wiki = request.POST.get("wiki") != "0"
        post_wiki_set(user=request.user, post=post, wiki=wiki)
        if wiki:
            messages.success(
                request, _("Le message est un wiki : d'autres membres peuvent le modifier.")
            )
        else:
            messages.success(request, _("Le message n'est plus un wiki."))


class PostRestoreView(_PostAction):
    def act(self, request, post):
        post_restore(user=request.user, post=post, reason=request.POST.get("reason", ""))
        messages.success(request, _("Le message est restauré."))


class TopicCloseView(CommunityView):
    http_method_names = ["post"]

    def post(self, request, topic_id):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        try:
            topic_close(
                user=request.user,
                topic=topic,
                reason=request.POST.get("reason", ""),
                close=request.POST.get("action") != "reopen",
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("L'état du sujet est modifié."))
        return redirect(seo.topic_path(topic))


class _PostFormView(CommunityView):
    """A page with a form about one post (validate, flag, edit)."""

    template = ""
    form_class = None
    permission = None

    def get_post(self, request, post_id):
        post = selectors.post_get(user=request.user, community=self.community, public_id=post_id)
        if not request.user.is_authenticated:
            raise AccessDenied(_("Connectez-vous pour continuer."))
        if self.permission and not self.can(self.permission):
            raise AccessDenied(_("Votre rôle ne permet pas cette action dans cette communauté."))
        return post

    def page(self, post, form, status=200):
        context = {
            "post": post,
            "topic": post.topic,
            "form": form,
            "can_moderate": can_moderate(self.request.user, post.topic.category),
        }
        return self.render(self.template, context, status)

    def get(self, request, post_id):
        post = self.get_post(request, post_id)
        return self.page(post, self.initial_form(post))

    def initial_form(self, post):
        return self.form_class()

    def post(self, request, post_id):
        post = self.get_post(request, post_id)
        form = self.form_class(request.POST)
        done = submit(form, lambda: self.act(request, post, form.cleaned_data))
        if done:
            return _topic_redirect(post)
        return self.page(post, form, status=400)


class AnswerValidateView(_PostFormView):
    feature = "official_answers"

    template = "community/validate_form.html"
    form_class = ValidateForm
    permission = Permission.VALIDATE

    def act(self, request, post, data):
        official = answer_validate(user=request.user, post=post, **data)
        messages.success(
            request, _("La réponse est validée et publiée dans la base de connaissances.")
        )
        return official


class PostFlagView(_PostFormView):
    feature = "flags"

    template = "community/flag_form.html"
    form_class = FlagForm
    permission = Permission.FLAG

    def act(self, request, post, data):
        flag = flag_create(user=request.user, post=post, reason=data["reason"], text=data["text"])
        messages.success(request, _("Merci : la modération examinera ce message."))
        return flag


class PostEditView(_PostFormView):
    template = "community/post_edit.html"
    form_class = EditForm

    def get_post(self, request, post_id):
        post = super().get_post(request, post_id)
        if post.author_id != request.user.pk and not can_moderate(
            request.user, post.topic.category
        ):
            ensure_may_edit_wiki(request.user, post)  # refuses an ordinary post as before
        return post

    def initial_form(self, post):
        return EditForm(initial={"body": post.body})

    def act(self, request, post, data):
        official = OfficialAnswer.objects.filter(post=post).first()
        was_active = official is not None and official.is_active
        post = post_edit(user=request.user, post=post, body=data["body"], reason=data["reason"])
        if was_active and OfficialAnswer.objects.get(post=post).state != official.state:
            messages.warning(
                request,
                _(
                    "Le texte a changé : sa validation par l'organisme est suspendue jusqu'à "
                    "une nouvelle validation."
                ),
            )
        else:
            messages.success(request, _("Le message est modifié."))
        return post


class OfficialAnswerView(CommunityView):
    feature = "official_answers"

    def _topic(self, request, topic_id):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        if not self.can(Permission.OFFICIAL):
            raise AccessDenied(_("Votre rôle ne permet pas cette action dans cette communauté."))
        return topic

    def get(self, request, topic_id):
        topic = self._topic(request, topic_id)
        return self.render(
            "community/official_form.html", {"topic": topic, "form": OfficialAnswerForm()}
        )

    def post(self, request, topic_id):
        topic = self._topic(request, topic_id)
        form = OfficialAnswerForm(request.POST)
        official = submit(
            form,
            lambda: official_answer_publish(user=request.user, topic=topic, **form.cleaned_data),
        )
        if official:
            messages.success(request, _("La réponse de l'organisme est publiée."))
            return _topic_redirect(official.post)
        return self.render(
            "community/official_form.html", {"topic": topic, "form": form}, status=400
        )


class TopicMoveView(CommunityView):
    def _setup(self, request, topic_id):
        topic = selectors.topic_get(user=request.user, community=self.community, public_id=topic_id)
        ensure_can_moderate(request.user, topic.category)
        # Only the categories the user moderates (all for the moderator role), in one query.
        moderated = set(
            moderated_categories(request.user, self.community).values_list("pk", flat=True)
        )
        categories = [
            c
            for c in selectors.categories_for(user=request.user, community=self.community)
            if c.pk != topic.category_id and c.pk in moderated
        ]
        return topic, categories

    def get(self, request, topic_id):
        topic, categories = self._setup(request, topic_id)
        return self.render(
            "community/move_form.html", {"topic": topic, "form": MoveForm(categories=categories)}
        )

    def post(self, request, topic_id):
        topic, categories = self._setup(request, topic_id)
        form = MoveForm(request.POST, categories=categories)
        by_slug = {c.slug: c for c in categories}
        moved = submit(
            form,
            lambda: topic_move(
                user=request.user,
                topic=topic,
                category=by_slug[form.cleaned_data["category"]],
                reason=form.cleaned_data["reason"],
            ),
        )
        if moved:
            messages.success(request, _("Le sujet est déplacé."))
            return redirect(seo.topic_path(moved))
        return self.render("community/move_form.html", {"topic": topic, "form": form}, status=400)


class ReviewQueueView(CommunityView):
    def get(self, request):
        if not request.user.is_authenticated:
            return _login_redirect(request)
        items = selectors.review_queue(user=request.user, community=self.community)
        reviews = (
            list(selectors.validations_to_review(user=request.user, community=self.community))
            if self.can(Permission.VALIDATE)
            else []
        )
        return self.render(
            "community/review_queue.html",
            {
                "items": items,
                "reviews": reviews,
                "rule": auto_hide_rule(self.community),
                "decide_form": DecideForm(),
                "noindex": True,
            },
        )


class FlagDecideView(CommunityView):
    http_method_names = ["post"]

    def post(self, request, post_id):
        post = selectors.post_get(user=request.user, community=self.community, public_id=post_id)
        form = DecideForm(request.POST)
        done = submit(
            form,
            lambda: flag_decide(
                user=request.user,
                post=post,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            ),
        )
        if done:
            messages.success(request, _("Décision enregistrée."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("community:review-queue")


class SimilarQuestionsView(CommunityView):
    """``?q=<title being typed>``: the questions that look like it (an HTMX fragment under the
    title field of the ask form; a plain page without JavaScript)."""

    def get(self, request):
        form = SearchForm(request.GET)
        form.is_valid()
        query = form.cleaned_data.get("q", "")
        hits = (
            selectors.topics_search(
                user=request.user, community=self.community, query=query, limit=5, replies=False
            )
            if len(query.strip()) >= 4
            else []
        )
        if request.headers.get("HX-Request"):
            return render(request, "community/_similar.html", {"hits": hits})
        return self.render(
            "community/search.html",
            {"search_form": form, "query": query, "hits": hits, "noindex": True},
        )


class ScreenDecideView(CommunityView):
    """A moderator approves or rejects a post held (or flagged) by the text screening."""

    http_method_names = ["post"]

    def post(self, request, post_id):
        post = selectors.post_get(user=request.user, community=self.community, public_id=post_id)
        try:
            post_screen_decide(
                user=request.user,
                post=post,
                approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Décision enregistrée."))
        return redirect("community:review-queue")


def _held_message(request, post) -> None:
    """Tell the author what the text screening decided about their post, and why."""
    if post.hidden == post.Hidden.APPROVAL:
        messages.warning(
            request,
            _("Votre message sera publié après vérification par la modération : %(reasons)s")
            % {"reasons": " ; ".join(post.screen_reasons)},
        )
        return True
    return False


class UnansweredView(CommunityView):
    def get(self, request):
        page_obj = paginate(
            request,
            selectors.topics_unanswered(user=request.user, community=self.community),
            per_page=TOPICS_PER_PAGE,
        )
        return self.render("community/unanswered.html", {"page_obj": page_obj, "noindex": True})


class SearchView(CommunityView):
    feature = "search"

    def get(self, request):
        categories = {
            c.slug: c for c in selectors.categories_for(user=request.user, community=self.community)
        }
        form = SearchFilterForm(request.GET, categories=categories.values())
        valid = form.is_valid()
        query = form.cleaned_data.get("q", "")
        category = categories.get(form.cleaned_data.get("categorie") or "")
        hits = (
            selectors.topics_search(
                user=request.user, community=self.community, query=query, category=category
            )
            if valid and query.strip()
            else []
        )
        # Counted for the back office's « recherches sans résultat » (no write on a GET); a
        # search narrowed to one category says nothing of what the forum lacks.
        unfiltered = category is None and request.GET.get("page") is None
        if valid and query.strip() and not hits and unfiltered:
            search_empty_note(community=self.community, query=query)
        return self.render(
            "community/search.html",
            {
                "filter_form": form,
                "query": query,
                "category": category,
                "hits": hits,
                "noindex": True,
            },
        )


# --- root files: robots.txt and the sitemaps ------------------------------------------------


def robots_txt(request):
    """``/robots.txt``: crawl the community's public pages, not its forms, queues or search."""
    lines = ["User-agent: *"]
    prefix = reverse("community:home")
    for name in (
        "community:topic-create",
        "community:join",
        "community:review-queue",
        "community:unanswered",
        "community:search",
    ):
        lines.append(f"Disallow: {reverse(name)}")
    lines += [
        f"Disallow: {prefix}messages/",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /comptes/",
        "",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _sitemap_domain_for(community, request) -> str:
    domain = community.organization.domains.filter(is_primary=True).first()
    return domain.domain if domain is not None else request.get_host()


def _host_community(request):
    from relais.core.organizations.selectors import organization_for_request_host

    organization = organization_for_request_host(request)
    if organization is None:
        return None
    return Community.objects.filter(organization=organization).order_by("id").first()


def sitemap_xml(request):
    """``/sitemap.xml``: the community of the host, or the only one; with several communities
    on a host none owns, a sitemap index pointing at each community's sitemap."""
    community = _host_community(request)
    communities = list(selectors.communities_public()[:1000])
    if community is None and len(communities) == 1:
        community = communities[0]
    if community is not None:
        return community_sitemap_xml(request, community_slug=community.slug, community=community)
    entries = [
        request.build_absolute_uri(reverse("community-sitemap", kwargs={"community_slug": c.slug}))
        for c in communities
    ]
    return render(
        request,
        "community/sitemap_index.xml",
        {"entries": entries},
        content_type="application/xml; charset=utf-8",
    )


def community_sitemap_xml(request, community_slug, community=None):
    """``/sitemap-<slug>.xml``: one community's public pages, on its own domain if it has one."""
    community = community or Community.objects.filter(slug=community_slug).first()
    if community is None:
        raise Http404
    sitemap = seo.CommunitySitemap(community)
    domain = _sitemap_domain_for(community, request)
    protocol = "https" if request.is_secure() or domain != request.get_host() else "http"
    urls = [
        {
            "location": f"{protocol}://{domain}{sitemap.location(item)}",
            "lastmod": sitemap.lastmod(item),
        }
        for item in sitemap.items()[: sitemap.limit]
    ]
    return render(
        request,
        "community/sitemap.xml",
        {"urlset": urls},
        content_type="application/xml; charset=utf-8",
    )
