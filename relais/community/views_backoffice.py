"""The community's back office (indicators, switches, categories, trust levels, banned words,
widget allow-list, accessibility statement), the public accessibility statement and the
embeddable widget.

Back-office pages are for the organisation's staff: indicators need ``community.kpis``
(supervisors, administrators), settings need ``community.manage`` (administrators). The
widget's pages are the only ones of Relais that another site may frame: they drop
``X-Frame-Options`` and send ``Content-Security-Policy: frame-ancestors`` with the
community's allow-list; its questions are readable cross-origin (CORS) by those sites only.
The widget always reads as an anonymous visitor: public categories only, whoever is signed in.
"""

import json

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt

from relais.community import kpis, selectors, seo
from relais.community.forms_backoffice import (
    TRUST_LABELS,
    AccessibilityForm,
    BannedWordForm,
    CategoryForm,
    EmbedForm,
    FeaturesForm,
    PeriodForm,
    TrustForm,
    WordsImportForm,
)
from relais.community.models import BannedWord, Category
from relais.community.permissions import Permission
from relais.community.services.backoffice import (
    TRUST_RULES,
    accessibility_set,
    banned_word_add,
    banned_word_remove,
    banned_words_import,
    category_save,
    embed_origins_set,
    features_set,
    trust_thresholds_set,
)
from relais.community.statement import statement_for
from relais.community.views import CommunityView, _login_redirect
from relais.core.downloads import NumberText, csv_download
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.web import submit

WIDGET_TOPICS = 5

SECTIONS = (
    ("community:backoffice", gettext_lazy("Indicateurs"), Permission.KPIS),
    ("community:backoffice-features", gettext_lazy("Modules"), Permission.MANAGE),
    ("community:backoffice-categories", gettext_lazy("Catégories"), Permission.MANAGE),
    ("community:backoffice-trust", gettext_lazy("Niveaux de confiance"), Permission.MANAGE),
    ("community:backoffice-words", gettext_lazy("Mots interdits"), Permission.MANAGE),
    ("community:backoffice-embed", gettext_lazy("Widget"), Permission.MANAGE),
    ("community:backoffice-accessibility", gettext_lazy("Accessibilité"), Permission.MANAGE),
)


class BackofficeView(CommunityView):
    """A back-office page: signed-in staff holding ``permission``; never indexed; open
    whatever modules are switched off (it is where they are switched on again)."""

    permission = Permission.MANAGE
    section = ""

    def dispatch(self, request, *args, **kwargs):
        self.community = selectors.community_for_request(request)
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if not self.can(self.permission):
            raise AccessDenied(_("Le pilotage de la communauté est réservé à son équipe."))
        return super(CommunityView, self).dispatch(request, *args, **kwargs)

    def render(self, template, context=None, status=200):
        sections = [
            {"url_name": name, "label": label, "current": name == self.section}
            for name, label, permission in SECTIONS
            if self.can(permission)
        ]
        return super().render(
            template, {"sections": sections, "noindex": True, **(context or {})}, status
        )

    def saved(self, message: str, url_name: str):
        messages.success(self.request, message)
        return redirect(url_name)


# --- indicators -----------------------------------------------------------------------------


def _csv_value(value):
    if isinstance(value, float):
        return NumberText(f"{value:.4f}".rstrip("0").rstrip(",.").replace(".", ","))
    return "" if value is None else value


class DashboardView(BackofficeView):
    permission = Permission.KPIS
    section = "community:backoffice"

    def get(self, request):
        form = PeriodForm(request.GET or None)
        period = kpis.period_from(None, None)
        if form.is_valid():
            period = kpis.period_from(form.cleaned_data["start"], form.cleaned_data["end"])
        result = kpis.kpis_for(user=request.user, community=self.community, period=period)
        if request.GET.get("format") == "csv" and not form.errors:
            return self.csv(result)
        today = timezone.localdate()
        presets = [
            {
                "days": days,
                "period": kpis.last_days(days, today),
                "current": kpis.last_days(days, today) == period,
            }
            for days in kpis.PRESETS
        ]
        query = f"start={period.start.isoformat()}&end={period.end.isoformat()}"
        return self.render(
            "community/backoffice/dashboard.html",
            {
                "form": form,
                "period": period,
                "presets": presets,
                "kpis": result,
                "summary": kpis.summary_rows(result),
                "daily": [
                    {**row, "label": row["day"].strftime("%d/%m/%Y")} for row in result.daily
                ],
                "chart": kpis.chart_data(result),
                "csv_query": query + "&format=csv",
            },
            status=400 if form.errors else 200,
        )

    def csv(self, result: kpis.Kpis):
        """Semicolon CSV with decimal commas (French Excel): the headline figures, then the
        figures by day, then the top contributors and the searches without results."""
        p = result.period
        rows = [
            [_("Indicateur"), _("Valeur"), _("Du"), _("Au")],
            [_("Membres"), result.members, p.start.isoformat(), p.end.isoformat()],
            [_("Nouveaux membres"), result.new_members],
            [_("Membres actifs par jour (moyenne)"), _csv_value(result.active_daily_average)],
            [_("Membres actifs sur 30 jours"), result.active_monthly],
            [_("Sujets ouverts"), result.topics],
            [_("Questions"), result.questions],
            [_("Réponses"), result.answers],
            [_("Taux de résolution"), _csv_value(result.solved_rate)],
            [_("Part de réponses officielles"), _csv_value(result.official_share)],
            [
                _("Délai médian de première réponse (heures)"),
                _csv_value(kpis.hours(result.first_answer_median)),
            ],
            [
                _("Délai médian de réponse officielle (heures)"),
                _csv_value(kpis.hours(result.official_answer_median)),
            ],
            [_("Questions sans réponse"), result.unanswered],
            [_("Signalements"), result.flags],
            [_("Signalements en attente"), result.flags_pending],
            [
                _("Délai médian de traitement des signalements (heures)"),
                _csv_value(kpis.hours(result.flag_handling_median)),
            ],
            [_("Recherches sans résultat"), result.searches_empty],
            [],
            [_("Jour"), _("Nouveaux membres"), _("Membres actifs"), _("Sujets"), _("Réponses")],
            *(
                [r["day"].isoformat(), r["new_members"], r["active"], r["topics"], r["answers"]]
                for r in result.daily
            ),
            [],
            [_("Contributeur"), _("Réponses"), _("Acceptées"), _("Validées")],
            *(
                [c["name"], c["answers"], c["accepted"], c["validated"]]
                for c in result.contributors
            ),
            [],
            [_("Recherche sans résultat"), _("Nombre")],
            *([text, count] for text, count in result.searches_empty_top),
        ]
        name = f"indicateurs-{self.community.slug}-{p.start.isoformat()}-{p.end.isoformat()}.csv"
        return csv_download(rows, name)


# --- settings -------------------------------------------------------------------------------


class FeaturesView(BackofficeView):
    section = "community:backoffice-features"

    def get(self, request):
        return self.page(FeaturesForm(community=self.community))

    def page(self, form, status=200):
        return self.render("community/backoffice/features.html", {"form": form}, status)

    def post(self, request):
        form = FeaturesForm(request.POST, community=self.community)
        done = submit(
            form,
            lambda: features_set(
                user=request.user, community=self.community, features=form.cleaned_data
            ),
        )
        if done:
            return self.saved(_("Les modules sont enregistrés."), "community:backoffice-features")
        return self.page(form, status=400)


class CategoriesView(BackofficeView):
    section = "community:backoffice-categories"

    def page(self, form, status=200):
        categories = Category.objects.filter(community=self.community).order_by(
            "kind", "position", "name"
        )
        return self.render(
            "community/backoffice/categories.html",
            {"categories": categories, "form": form},
            status,
        )

    def get(self, request):
        return self.page(CategoryForm())

    def post(self, request):
        form = CategoryForm(request.POST)
        done = submit(
            form,
            lambda: category_save(user=request.user, community=self.community, **form.cleaned_data),
        )
        if done:
            return self.saved(_("La catégorie est créée."), "community:backoffice-categories")
        return self.page(form, status=400)


class CategoryEditView(BackofficeView):
    section = "community:backoffice-categories"

    def category(self, slug):
        category = Category.objects.filter(community=self.community, slug=slug).first()
        if category is None:
            raise NotFound(_("Catégorie introuvable."))
        return category

    def page(self, category, form, status=200):
        return self.render(
            "community/backoffice/category_form.html",
            {"category": category, "form": form},
            status,
        )

    def get(self, request, category_slug):
        category = self.category(category_slug)
        initial = {name: getattr(category, name) for name in CategoryForm.base_fields}
        return self.page(category, CategoryForm(initial=initial))

    def post(self, request, category_slug):
        category = self.category(category_slug)
        form = CategoryForm(request.POST)
        done = submit(
            form,
            lambda: category_save(
                user=request.user,
                community=self.community,
                category=category,
                **form.cleaned_data,
            ),
        )
        if done:
            return self.saved(_("La catégorie est enregistrée."), "community:backoffice-categories")
        return self.page(category, form, status=400)


class TrustView(BackofficeView):
    section = "community:backoffice-trust"

    def page(self, form, status=200):
        rows = [
            {
                "label": TRUST_LABELS[rule],
                "fields": [form[f"level{level}_{rule}"] for level in (1, 2, 3)],
            }
            for rule in TRUST_RULES
        ]
        return self.render("community/backoffice/trust.html", {"form": form, "rows": rows}, status)

    def get(self, request):
        return self.page(TrustForm(community=self.community))

    def post(self, request):
        form = TrustForm(request.POST, community=self.community)
        done = submit(
            form,
            lambda: trust_thresholds_set(
                user=request.user, community=self.community, thresholds=form.thresholds()
            ),
        )
        if done:
            return self.saved(
                _("Les seuils sont enregistrés ; les niveaux suivront au prochain calcul."),
                "community:backoffice-trust",
            )
        return self.page(form, status=400)


class WordsView(BackofficeView):
    section = "community:backoffice-words"

    def page(self, form=None, import_form=None, status=200):
        return self.render(
            "community/backoffice/words.html",
            {
                "words": BannedWord.objects.filter(community=self.community).order_by("word"),
                "form": form or BannedWordForm(),
                "import_form": import_form or WordsImportForm(),
            },
            status,
        )

    def get(self, request):
        return self.page()

    def post(self, request):
        operation = request.POST.get("operation")
        if operation == "remove":
            try:
                word_id = int(request.POST.get("word", ""))
                banned_word_remove(user=request.user, community=self.community, word_id=word_id)
            except (ValueError, ValidationError):
                messages.error(request, _("Ce mot n'est pas dans la liste."))
                return redirect("community:backoffice-words")
            return self.saved(_("Le mot est retiré de la liste."), "community:backoffice-words")
        if operation == "import":
            form = WordsImportForm(request.POST)
            count = submit(
                form,
                lambda: banned_words_import(
                    user=request.user, community=self.community, text=form.cleaned_data["text"]
                ),
            )
            if count:
                return self.saved(
                    _("%(count)d entrées ajoutées ou mises à jour.") % {"count": count},
                    "community:backoffice-words",
                )
            return self.page(import_form=form, status=400)
        form = BannedWordForm(request.POST)
        done = submit(
            form,
            lambda: banned_word_add(
                user=request.user, community=self.community, **form.cleaned_data
            ),
        )
        if done:
            return self.saved(_("Le mot est ajouté à la liste."), "community:backoffice-words")
        return self.page(form=form, status=400)


class EmbedView(BackofficeView):
    section = "community:backoffice-embed"

    def page(self, form, status=200):
        categories = selectors.public_categories(community=self.community)
        first = categories.first()
        snippet = iframe = ""
        if first is not None:
            script_url = self.absolute(
                reverse("community:widget-script", kwargs={"category_slug": first.slug})
            )
            frame_url = self.absolute(
                reverse("community:widget", kwargs={"category_slug": first.slug})
            )
            snippet = (
                '<div id="relais-communaute"></div>\n'
                f'<script src="{script_url}" data-cible="relais-communaute" async></script>'
            )
            iframe = (
                f'<iframe src="{frame_url}" title="{_("Questions de la communauté")}" '
                'width="100%" height="420" style="border:0"></iframe>'
            )
        return self.render(
            "community/backoffice/embed.html",
            {"form": form, "categories": categories, "snippet": snippet, "iframe": iframe},
            status,
        )

    def get(self, request):
        return self.page(EmbedForm(initial={"origins": "\n".join(self.community.embed_origins)}))

    def post(self, request):
        form = EmbedForm(request.POST)
        done = submit(
            form,
            lambda: embed_origins_set(
                user=request.user, community=self.community, origins=form.cleaned_data["origins"]
            ),
        )
        if done:
            return self.saved(
                _("Les sites autorisés sont enregistrés."), "community:backoffice-embed"
            )
        return self.page(form, status=400)


class AccessibilityEditView(BackofficeView):
    section = "community:backoffice-accessibility"

    def page(self, form, status=200):
        return self.render("community/backoffice/accessibility.html", {"form": form}, status)

    def get(self, request):
        return self.page(AccessibilityForm(initial=self.community.accessibility or {}))

    def post(self, request):
        form = AccessibilityForm(request.POST)
        done = submit(
            form,
            lambda: accessibility_set(
                user=request.user, community=self.community, statement=form.cleaned_data
            ),
        )
        if done:
            return self.saved(
                _("La déclaration d'accessibilité est enregistrée."),
                "community:backoffice-accessibility",
            )
        return self.page(form, status=400)


# --- public: the accessibility statement ----------------------------------------------------


class AccessibilityStatementView(CommunityView):
    """« Déclaration d'accessibilité » (RGAA), for everyone, whatever modules are on."""

    feature = None

    def get(self, request):
        return self.render(
            "community/accessibility_statement.html",
            {
                "statement": statement_for(self.community),
                "canonical": self.absolute(reverse("community:accessibility")),
                "meta_description": _("Déclaration d'accessibilité de %(name)s.")
                % {"name": self.community.name},
            },
        )


# --- the widget -----------------------------------------------------------------------------


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
