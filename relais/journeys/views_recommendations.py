"""Recommendation pages: the analyses of the organization (and a new one from a ready log),
the ranked list with its editable assumptions, one recommendation with its evidence, gain
breakdown and what-if, and the deliverable's PDF. Thin: parse, call a selector or a service,
render. The organization is the current workspace's."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.core.downloads import file_download
from relais.core.web import submit
from relais.journeys import reports
from relais.journeys import selectors_recommendations as selectors
from relais.journeys import services_recommendations as services
from relais.journeys.bpmn import journey_data
from relais.journeys.eventlog_store import load_frame
from relais.journeys.forms_recommendations import AssumptionsForm, RecommendationSetForm
from relais.journeys.recommendations import CHANNEL_LABELS, what_if
from relais.journeys.views import OrganizationJourneyView

PDF_TYPE = "application/pdf"


class _RecommendationView(OrganizationJourneyView):
    """The journeys' view base: the organization is the current workspace's."""

    def recommendation_set(self, set_id):
        return selectors.recommendation_set_get(
            user=self.request.user, organization=self.organization, public_id=set_id
        )

    def set_form(self, data=None):
        user, organization = self.request.user, self.organization
        return RecommendationSetForm(
            data,
            logs=selectors.ready_event_logs(user=user, organization=organization),
            journeys=selectors.designed_journeys(user=user, organization=organization),
        )


def _to_set(recommendation_set):
    return redirect("journeys:recommendation-set", set_id=recommendation_set.public_id)


class RecommendationSetListView(_RecommendationView):
    template_name = "journeys/recommendations/list.html"

    def _render(self, request, form, status=200):
        sets = selectors.recommendation_set_list(user=request.user, organization=self.organization)
        return render(
            request,
            self.template_name,
            {"sets": sets, "form": form, "can_edit": self.can_edit()},
            status=status,
        )

    def get(self, request):
        return self._render(request, self.set_form())

    def post(self, request):
        self.ensure_edit()
        form = self.set_form(request.POST)
        created = submit(
            form,
            lambda: services.recommendation_set_start(
                actor=request.user,
                workspace=self.workspace,
                organization=self.organization,
                event_log=form.cleaned_data["event_log"],
                journey=form.cleaned_data["journey"],
                name=form.cleaned_data["name"],
            ),
        )
        if created is None:
            return self._render(request, form, status=400)
        messages.success(request, _("Calcul des recommandations lancé."))
        return _to_set(created)


class RecommendationSetDetailView(_RecommendationView):
    """The ranked list; its assumptions form recomputes the ranking (POST)."""

    template_name = "journeys/recommendations/detail.html"

    def _render(self, request, recommendation_set, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "set": recommendation_set,
                "ranking": recommendation_set.ranking,
                "recommendations": recommendation_set.recommendations,
                "form": form,
                "can_edit": self.can_edit(),
            },
            status=status,
        )

    def get(self, request, set_id):
        recommendation_set = self.recommendation_set(set_id)
        polling = request.headers.get("HX-Request") == "true"
        if recommendation_set.state == "computing":
            # The ranking job's progress, polled until it ends.
            template = (
                "journeys/recommendations/_computing.html"
                if polling
                else "journeys/recommendations/computing.html"
            )
            return render(request, template, {"set": recommendation_set})
        if polling:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        form = AssumptionsForm(initial=AssumptionsForm.initial_from(recommendation_set.assumptions))
        return self._render(request, recommendation_set, form)

    def post(self, request, set_id):
        recommendation_set = self.recommendation_set(set_id)
        self.ensure_edit()
        form = AssumptionsForm(request.POST)
        saved = submit(
            form,
            lambda: services.recommendation_set_update_assumptions(
                actor=request.user,
                workspace=self.workspace,
                recommendation_set=recommendation_set,
                assumptions=form.assumptions(recommendation_set.assumptions),
            ),
        )
        if saved is None:
            return self._render(request, recommendation_set, form, status=400)
        messages.success(
            request, _("Hypothèses enregistrées : nouveau classement en cours de calcul.")
        )
        return _to_set(saved)


class RecommendationSetRecomputeView(_RecommendationView):
    http_method_names = ["post"]

    def post(self, request, set_id):
        recommendation_set = self.recommendation_set(set_id)
        try:
            services.recommendation_set_recompute(
                actor=request.user, workspace=self.workspace, recommendation_set=recommendation_set
            )
        except services.ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Nouveau classement en cours de calcul."))
        return _to_set(recommendation_set)


class RecommendationSetDeleteView(_RecommendationView):
    http_method_names = ["post"]

    def post(self, request, set_id):
        recommendation_set = self.recommendation_set(set_id)
        services.recommendation_set_delete(
            actor=request.user, recommendation_set=recommendation_set
        )
        messages.success(
            request, _("Analyse « %(name)s » supprimée.") % {"name": recommendation_set.name}
        )
        return redirect("journeys:recommendation-list")


class RecommendationDetailView(_RecommendationView):
    """One recommendation: its evidence, the arithmetic of its gain and the what-if (the log
    re-computed with the lever applied)."""

    def get(self, request, set_id, key):
        recommendation_set = self.recommendation_set(set_id)
        recommendation = selectors.recommendation_get(recommendation_set, key)
        designed = journey_data(recommendation_set.journey) if recommendation_set.journey else None
        try:
            frame = load_frame(recommendation_set.event_log)
        except FileNotFoundError:
            simulation = None
        else:
            simulation = what_if(
                frame,
                recommendation_set.assumptions,
                key,
                kind=recommendation["kind"],
                designed=designed,
            )
        return render(
            request,
            "journeys/recommendations/recommendation.html",
            {
                "set": recommendation_set,
                "recommendation": recommendation,
                "gain": recommendation["gain"],
                "what_if": simulation,
                "channel_labels": CHANNEL_LABELS,
            },
        )


class RecommendationSetPdfView(_RecommendationView):
    """Deliverable 3: the recommendations ranked by gain, as a PDF."""

    def get(self, request, set_id):
        recommendation_set = self.recommendation_set(set_id)
        content = reports.recommendations_pdf(recommendation_set)
        name = slugify(recommendation_set.name) or "recommandations"
        return file_download(content, filename=f"{name}.pdf", content_type=PDF_TYPE)
