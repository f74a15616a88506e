"""Settings edited by the community's administrators: modules, categories, trust levels,
banned words."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from relais.community import selectors
from relais.community.forms_backoffice import (
    TRUST_LABELS,
    BannedWordForm,
    CategoryForm,
    CategoryModeratorForm,
    FeaturesForm,
    TrustForm,
    WordsImportForm,
)
from relais.community.models import BannedWord, Category
from relais.community.services.backoffice import (
    TRUST_RULES,
    banned_word_add,
    banned_word_remove,
    banned_words_import,
    category_save,
    features_set,
    trust_thresholds_set,
)
from relais.community.services.category_moderators import (
    category_moderator_add,
    category_moderator_remove,
)
from relais.community.views_backoffice.base import BackofficeView
from relais.core.exceptions import NotFound
from relais.core.web import submit


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

    def page(self, category, form, status=200, moderator_form=None):
        moderators = selectors.category_moderators_of(user=self.request.user, category=category)
        return self.render(
            "community/backoffice/category_form.html",
            {
                "category": category,
                "form": form,
                "moderators": moderators,
                "moderator_form": moderator_form or CategoryModeratorForm(),
            },
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


class CategoryModeratorsView(CategoryEditView):
    """Name a member moderator of the category, or withdraw it (``operation=remove``)."""

    http_method_names = ["post"]

    def post(self, request, category_slug):
        category = self.category(category_slug)
        form = CategoryModeratorForm(request.POST)
        remove = request.POST.get("operation") == "remove"
        service = category_moderator_remove if remove else category_moderator_add
        done = submit(
            form,
            lambda: service(
                user=request.user,
                community=self.community,
                category=category,
                display_name=form.cleaned_data["member"],
            ),
        )
        if done:
            message = (
                _("%(name)s ne modère plus cette catégorie.")
                if remove
                else _("%(name)s modère désormais cette catégorie.")
            )
            messages.success(request, message % {"name": form.cleaned_data["member"]})
            return redirect("community:backoffice-category", category_slug=category.slug)
        initial = {name: getattr(category, name) for name in CategoryForm.base_fields}
        return self.page(category, CategoryForm(initial=initial), status=400, moderator_form=form)


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
