"""The embeddable widget: a frame, its questions as JSON (CORS) and its script, for the
sites on the community's allow-list only."""

import json

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from relais.community import selectors, seo
from relais.community.views import CommunityView

WIDGET_TOPICS = 5


def frame_ancestors(community) -> str:
    sources = " ".join(["'self'", *community.embed_origins])
    return f"frame-ancestors {sources}"


def _widget_topics(community, category_slug):
    anonymous = AnonymousUser()
    category = selectors.category_get(user=anonymous, community=community, slug=category_slug)
    topics = selectors.topics_of_category(user=anonymous, category=category)[:WIDGET_TOPICS]
    return category, list(topics)


def _allow_origin(response, request, community):
    origin = request.headers.get("Origin", "")
    if origin and origin in community.embed_origins:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


class WidgetFrameView(CommunityView):
    """The widget as a page to frame: the category's latest questions and an « ask » box."""

    @classmethod
    def as_view(cls, **initkwargs):
        return xframe_options_exempt(super().as_view(**initkwargs))

    def get(self, request, category_slug):
        category, topics = _widget_topics(self.community, category_slug)
        response = render(
            request,
            "community/widget.html",
            {
                "community": self.community,
                "category": category,
                "topics": [
                    {"title": t.title, "url": self.absolute(seo.topic_path(t)), "topic": t}
                    for t in topics
                ],
                "ask_url": self.absolute(
                    reverse(
                        "community:category-topic-create", kwargs={"category_slug": category.slug}
                    )
                ),
                "more_url": self.absolute(
                    reverse("community:category-detail", kwargs={"category_slug": category.slug})
                ),
            },
        )
        response["Content-Security-Policy"] = frame_ancestors(self.community)
        return response


class WidgetDataView(CommunityView):
    """The category's latest public questions as JSON, readable by the allowed sites (CORS)."""

    def get(self, request, category_slug):
        category, topics = _widget_topics(self.community, category_slug)
        response = JsonResponse(
            {
                "community": self.community.name,
                "category": category.name,
                "more_url": self.absolute(
                    reverse("community:category-detail", kwargs={"category_slug": category.slug})
                ),
                "ask_url": self.absolute(
                    reverse(
                        "community:category-topic-create", kwargs={"category_slug": category.slug}
                    )
                ),
                "topics": [
                    {
                        "title": t.title,
                        "url": self.absolute(seo.topic_path(t)),
                        "answers": t.replies_count,
                        "solved": bool(t.accepted_answer_id or t.official_count),
                    }
                    for t in topics
                ],
            }
        )
        return _allow_origin(response, request, self.community)


class WidgetScriptView(CommunityView):
    """The script snippet: fetches the questions (CORS) and writes the widget into the page."""

    def get(self, request, category_slug):
        _widget_topics(self.community, category_slug)  # 404 for a category not public
        data_url = self.absolute(
            reverse("community:widget-data", kwargs={"category_slug": category_slug})
        )
        labels = {
            "heading": _("Questions de la communauté"),
            "ask": _("Poser une question"),
            "ask_label": _("Votre question"),
            "more": _("Toutes les questions"),
            "none": _("Aucune question pour le moment."),
            "error": _("Les questions de la communauté ne sont pas disponibles."),
            "answers": _("réponse(s)"),
            "solved": _("résolue"),
            "new_window": _("(nouvelle fenêtre)"),
        }
        script = render(
            request,
            "community/widget.js",
            {"data_url": json.dumps(data_url), "labels": json.dumps(labels)},
            content_type="text/javascript; charset=utf-8",
        )
        script["Cache-Control"] = "public, max-age=300"
        return _allow_origin(script, request, self.community)
