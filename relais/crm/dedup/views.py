"""De-duplication screens: the review queue, a pair side by side, the merge wizard, the merge
history with undo, and bulk cleaning with preview and undo."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from relais.core.web import WorkspaceRequiredMixin, add_service_errors, paginate
from relais.crm.dedup import cleaning as cleaning_services
from relais.crm.dedup import merge as merge_services
from relais.crm.dedup import review as review_services
from relais.crm.dedup import selectors
from relais.crm.dedup.forms import CandidateFilterForm, CleaningForm, MergeForm
from relais.crm.dedup.weights import DECISION, SURE
from relais.crm.permissions import Permission

PREVIEW_PAGE = 50
# Above this many changes (about a second of work), cleaning runs as a background job.
BACKGROUND_CLEANING = 2000


class DedupMixin(WorkspaceRequiredMixin):
    @property
    def can_edit(self) -> bool:
        return self.request.user.has_role_permission(
            Permission.CRM_EDIT, workspace=self.request.workspace
        )


class DedupListView(DedupMixin, View):
    """Candidate pairs, best score first, with the search job's progress. An htmx request
    with ``avancement`` gets only the progress fragment (polled while the search runs)."""

    def get(self, request):
        job = selectors.duplicate_search_latest(user=request.user, workspace=self.workspace)
        if request.GET.get("avancement") and request.headers.get("HX-Request"):
            context = {"job": job, "refresh": True}
            response = render(request, "crm/dedup/_search_progress.html", context)
            patch_vary_headers(response, ["HX-Request"])
            return response
        form = CandidateFilterForm(request.GET)
        filters = form.filters()
        candidates = selectors.candidate_list(
            user=request.user,
            workspace=self.workspace,
            level=filters["level"],
            status=filters["status"],
        )
        context = {
            "form": form,
            "filters": filters,
            "page_obj": paginate(request, candidates),
            "counts": selectors.candidate_counts(user=request.user, workspace=self.workspace),
            "job": job,
            "can_edit": self.can_edit,
            "sure": SURE,
            "decision": DECISION,  # under it, a listed pair is « à vérifier »
        }
        return render(request, "crm/dedup/candidate_list.html", context)


class DedupSearchView(DedupMixin, View):
    """Start a duplicate search in the background; the list shows its progress."""

    http_method_names = ["post"]

    def post(self, request):
        review_services.duplicate_search_start(actor=request.user, workspace=self.workspace)
        messages.info(request, _("La recherche des doublons a commencé."))
        return redirect("crm:dedup-list")


class CandidateMixin(DedupMixin):
    @cached_property
    def candidate(self):
        return selectors.candidate_get(
            user=self.request.user, workspace=self.workspace, public_id=self.kwargs["pair_id"]
        )


class DedupPairView(CandidateMixin, View):
    """The two records side by side with the field-by-field explanation of their score."""

    def get(self, request, pair_id):
        candidate = self.candidate
        a, b = candidate.customer_a, candidate.customer_b
        context = {
            "candidate": candidate,
            "a": a,
            "b": b,
            "explanation": _explanation(candidate.explanation),
            "sides": [("A", a), ("B", b)],
            "attached": [
                ("A", merge_services.merge_preview(survivor=b, absorbed=a)),
                ("B", merge_services.merge_preview(survivor=a, absorbed=b)),
            ],
            "can_edit": self.can_edit,
            "mixed_kinds": a.kind != b.kind,
            "decision": DECISION,
        }
        return render(request, "crm/dedup/pair_detail.html", context)


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _french_day(value) -> str:
    """A stored ISO date (« 1954-02-03 ») as French readers write it (« 03/02/1954 »)."""
    match = _ISO_DAY.match(str(value or ""))
    return f"{match[3]}/{match[2]}/{match[1]}" if match else value


def _explanation(lines: list[dict]) -> list[dict]:
    rows = []
    for line in lines:
        weight = line.get("weight") or 0
        rows.append(
            {
                **line,
                "value_a": _french_day(line.get("value_a")),
                "value_b": _french_day(line.get("value_b")),
                "weight_text": f"{weight:+.1f}".replace(".", ","),
                "direction": (
                    _("pour") if weight > 0 else _("contre") if weight < 0 else _("neutre")
                ),
            }
        )
    return rows


class DedupDismissView(CandidateMixin, View):
    http_method_names = ["post"]

    def post(self, request, pair_id):
        review_services.duplicate_candidate_dismiss(actor=request.user, candidate=self.candidate)
        messages.success(
            request,
            _("La paire est écartée : elle ne sera plus proposée comme doublon."),
        )
        return redirect("crm:dedup-list")


class DedupReopenView(CandidateMixin, View):
    http_method_names = ["post"]

    def post(self, request, pair_id):
        review_services.duplicate_candidate_reopen(actor=request.user, candidate=self.candidate)
        messages.success(request, _("La paire est de nouveau à examiner."))
        return redirect("crm:dedup-pair", pair_id=self.candidate.public_id)


class DedupMergeView(CandidateMixin, View):
    """The merge wizard. Step 1: which record is kept and, per field, whose value; step 2
    (``etape=verifier``): the resulting record and what moves, to confirm; then the merge."""

    template_name = "crm/dedup/merge_form.html"

    def form(self, data=None):
        return MergeForm(
            data, customer_a=self.candidate.customer_a, customer_b=self.candidate.customer_b
        )

    def render_step(self, form, step: str = "choisir", preview=None):
        context = {
            "candidate": self.candidate,
            "a": self.candidate.customer_a,
            "b": self.candidate.customer_b,
            "sides": [("A", self.candidate.customer_a), ("B", self.candidate.customer_b)],
            "form": form,
            "step": step,
            "preview": preview or [],
            "kept": form.kept_values() if step == "verifier" else [],
            "survivor_side": form.cleaned_data.get("keep", "a").upper()
            if step == "verifier"
            else "",
            "can_edit": self.can_edit,
            "mixed_kinds": self.candidate.customer_a.kind != self.candidate.customer_b.kind,
        }
        return render(self.request, self.template_name, context, status=200)

    def get(self, request, pair_id):
        return self.render_step(self.form())

    def post(self, request, pair_id):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_step(form)
        survivor, absorbed = form.survivor_and_absorbed()
        step = request.POST.get("etape")
        if step == "choisir":  # back from the confirmation, choices kept
            return self.render_step(form)
        if step != "confirmer":
            preview = merge_services.merge_preview(survivor=survivor, absorbed=absorbed)
            return self.render_step(form, "verifier", preview)
        try:
            merge = merge_services.customers_merge(
                actor=request.user, survivor=survivor, absorbed=absorbed, choices=form.choices()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_step(form)
        messages.success(
            request,
            _("Les deux fiches sont fusionnées dans celle de %(name)s.")
            % {"name": survivor.display_name},
        )
        return redirect("crm:dedup-merge-detail", merge_id=merge.public_id)


class DedupMergeListView(DedupMixin, View):
    def get(self, request):
        merges = selectors.merge_list(user=request.user, workspace=self.workspace)
        return render(
            request,
            "crm/dedup/merge_list.html",
            {"page_obj": paginate(request, merges), "can_edit": self.can_edit},
        )


class MergeMixin(DedupMixin):
    @cached_property
    def merge(self):
        return selectors.merge_get(
            user=self.request.user, workspace=self.workspace, public_id=self.kwargs["merge_id"]
        )


class DedupMergeDetailView(MergeMixin, View):
    def get(self, request, merge_id):
        context = {
            "merge": self.merge,
            **merge_services.merge_summary(self.merge),
            "can_edit": self.can_edit,
        }
        return render(request, "crm/dedup/merge_detail.html", context)


class DedupMergeUndoView(MergeMixin, View):
    http_method_names = ["post"]

    def post(self, request, merge_id):
        try:
            restored = merge_services.customer_merge_undo(actor=request.user, merge=self.merge)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("crm:dedup-merge-detail", merge_id=self.merge.public_id)
        messages.success(
            request,
            _("La fusion est annulée : la fiche de %(name)s est restaurée.")
            % {"name": restored.display_name},
        )
        return redirect("crm:customer-detail", customer_id=restored.public_id)


class CleaningView(DedupMixin, View):
    """Bulk cleaning: choose operations (GET shows the preview, which changes nothing), then
    apply them (POST) as one undoable batch."""

    template_name = "crm/dedup/cleaning.html"

    def context(self, form, preview=None):
        page = None
        if preview is not None:
            page = paginate(self.request, preview.changes, per_page=PREVIEW_PAGE)
        return {
            "form": form,
            "preview": preview,
            "page_obj": page,
            "batches": selectors.cleaning_batches(user=self.request.user, workspace=self.workspace)[
                :10
            ],
            "can_edit": self.can_edit,
            "query": self.request.GET.urlencode() if preview is not None else "",
        }

    def _preview(self, form):
        try:
            return cleaning_services.cleaning_preview(
                workspace=self.workspace,
                user=self.request.user,
                operations=form.cleaned_data["operations"],
                phone_format=form.cleaned_data["format_telephone"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return None

    def get(self, request):
        if "operations" not in request.GET:
            return render(request, self.template_name, self.context(CleaningForm()))
        form = CleaningForm(request.GET)
        preview = self._preview(form) if form.is_valid() else None
        return render(request, self.template_name, self.context(form, preview))

    def post(self, request):
        form = CleaningForm(request.POST)
        preview = self._preview(form) if form.is_valid() else None
        if preview is None:
            return render(request, self.template_name, self.context(form))
        if len(preview.changes) > BACKGROUND_CLEANING:
            job = cleaning_services.cleaning_apply_start(
                actor=request.user,
                workspace=self.workspace,
                operations=form.cleaned_data["operations"],
                phone_format=form.cleaned_data["format_telephone"],
                fingerprint=request.POST.get("empreinte", ""),
            )
            messages.info(request, _("Le nettoyage est en cours, en arrière-plan."))
            return redirect("jobs:job-detail", public_id=job.public_id)
        try:
            batch = cleaning_services.cleaning_apply(
                actor=request.user,
                workspace=self.workspace,
                changes=preview.changes,
                operations=form.cleaned_data["operations"],
                fingerprint=request.POST.get("empreinte", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return render(request, self.template_name, self.context(form, preview))
        messages.success(
            request,
            ngettext(
                "%(count)s valeur corrigée. Vous pouvez annuler ce nettoyage ci-dessous.",
                "%(count)s valeurs corrigées. Vous pouvez annuler ce nettoyage ci-dessous.",
                batch.change_count,
            )
            % {"count": batch.change_count},
        )
        return redirect("crm:cleaning")


class CleaningUndoView(DedupMixin, View):
    http_method_names = ["post"]

    def post(self, request, batch_id):
        batch = selectors.cleaning_batch_get(
            user=request.user, workspace=self.workspace, public_id=batch_id
        )
        try:
            count = cleaning_services.cleaning_undo(actor=request.user, batch=batch)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("crm:cleaning")
        messages.success(
            request,
            ngettext(
                "Nettoyage annulé : %(count)s valeur remise comme avant.",
                "Nettoyage annulé : %(count)s valeurs remises comme avant.",
                count,
            )
            % {"count": count},
        )
        return redirect("crm:cleaning")
