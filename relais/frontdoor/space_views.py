"""Pages of the referents' shared space: the library of offers, links from a request, the
satisfaction survey, the routing model's retraining. Thin: parse, check, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from relais.core.exceptions import NotFound
from relais.core.web import add_service_errors, paginate, submit
from relais.frontdoor import access, selectors, space_selectors
from relais.frontdoor import permissions as perms
from relais.frontdoor.services import retraining, space
from relais.frontdoor.space_forms import OfferForm, OfferLinkForm, SurveyForm


class OfferListView(LoginRequiredMixin, View):
    """The network's library: every body's service offers and brochures."""

    def get(self, request):
        if not space_selectors.library_networks(request.user).exists():
            raise Http404(_("Vous n'êtes membre d'aucun réseau."))
        q = request.GET.get("q", "")[:100]
        body_code = request.GET.get("organisme", "")[:30]
        offers = space_selectors.offers_visible(user=request.user, q=q, body_code=body_code)
        bodies = list(space_selectors.library_bodies(request.user))
        return render(
            request,
            "frontdoor/offer_list.html",
            {
                "page_obj": paginate(request, offers, per_page=30),
                "q": q,
                "body_code": body_code,
                "bodies": bodies,
                "can_manage": access.bodies_of(request.user, perms.HANDLE).exists(),
                "managed": set(
                    space_selectors.offers_managed(user=request.user).values_list("pk", flat=True)
                ),
            },
        )


class OfferEditView(LoginRequiredMixin, View):
    """Add an offer to one's body's library, or change one (``offer_id``)."""

    template_name = "frontdoor/offer_form.html"

    def _bodies(self, request):
        bodies = list(access.bodies_of(request.user, perms.HANDLE))
        if not bodies:
            raise Http404(_("Vous ne gérez les offres d'aucun organisme."))
        return bodies

    def _offer(self, request, offer_id):
        if offer_id is None:
            return None
        return space_selectors.offer_get(user=request.user, public_id=offer_id, manage=True)

    def get(self, request, offer_id=None):
        bodies = self._bodies(request)
        offer = self._offer(request, offer_id)
        initial = {"active": True}
        if offer is not None:
            initial = {
                "body": offer.body.code,
                "title": offer.title,
                "summary": offer.summary,
                "audience": offer.audience,
                "url": offer.url,
                "active": offer.active,
            }
        form = OfferForm(initial=initial, bodies=bodies)
        if offer is not None:
            form.fields["body"].disabled = True
        return render(request, self.template_name, {"form": form, "offer": offer})

    def post(self, request, offer_id=None):
        bodies = {body.code: body for body in self._bodies(request)}
        offer = self._offer(request, offer_id)
        form = OfferForm(request.POST, request.FILES, bodies=bodies.values())
        if offer is not None:
            form.fields["body"].disabled = True
            form.fields["body"].initial = offer.body.code
        fields = ("title", "summary", "audience", "url", "active")
        if offer is None:
            saved = submit(
                form,
                lambda: space.offer_create(
                    actor=request.user,
                    body=bodies[form.cleaned_data["body"]],
                    brochure=form.cleaned_data["brochure"],
                    **{name: form.cleaned_data[name] for name in fields},
                ),
            )
        else:
            saved = submit(
                form,
                lambda: space.offer_update(
                    actor=request.user,
                    offer=offer,
                    brochure=form.cleaned_data["brochure"],
                    **{name: form.cleaned_data[name] for name in fields},
                ),
            )
        if saved is None:
            return render(request, self.template_name, {"form": form, "offer": offer}, status=422)
        messages.success(request, _("Offre enregistrée."))
        return redirect("frontdoor:offer-list")


class OfferBrochureView(LoginRequiredMixin, View):
    """The offer's brochure, for the referents who read the library."""

    def get(self, request, offer_id):
        offer = space_selectors.offer_get(user=request.user, public_id=offer_id)
        if not offer.brochure:
            raise Http404(_("Cette offre n'a pas de brochure."))
        return FileResponse(
            offer.brochure.open("rb"),
            as_attachment=False,
            filename=f"{offer.title[:80]}.pdf",
            content_type="application/pdf",
        )


class RequestOfferLinkView(LoginRequiredMixin, View):
    def post(self, request, request_id):
        found = selectors.request_get(user=request.user, public_id=request_id)
        form = OfferLinkForm(
            request.POST, offers=space_selectors.offers_to_link(request=found), prefix="offer"
        )
        if not form.is_valid():
            messages.error(request, _("Choisissez une offre de la bibliothèque."))
            return redirect("frontdoor:request-detail", found.public_id)
        offer = space_selectors.offer_get(user=request.user, public_id=form.cleaned_data["offer"])
        try:
            space.offer_link(actor=request.user, request=found, offer=offer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Offre liée à la demande."))
        return redirect("frontdoor:request-detail", found.public_id)


class SurveyView(View):
    """The satisfaction survey, reached by its secret link: no sign-in, one answer."""

    template_name = "frontdoor/survey.html"

    def get(self, request, token):
        survey = space_selectors.survey_by_token(token=token)
        return render(request, self.template_name, {"survey": survey, "form": SurveyForm()})

    def post(self, request, token):
        survey = space_selectors.survey_by_token(token=token)
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                survey = space.survey_answer(
                    token=token,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return render(request, self.template_name, {"survey": survey, "thanks": True})
        return render(request, self.template_name, {"survey": survey, "form": form}, status=422)


class RoutingModelView(LoginRequiredMixin, View):
    """The network's routing model: its versions and accuracy, and the retraining job an
    administrator launches (progress on the job's page)."""

    def _networks(self, request):
        networks = list(space_selectors.retrainable_networks(user=request.user))
        if not networks:
            raise Http404(_("Réservé aux administrateurs d'un réseau."))
        return networks

    def get(self, request):
        networks = self._networks(request)
        rows = [
            {
                "network": network,
                "examples": len(retraining.training_examples(network)),
                "models": list(space_selectors.routing_models(network=network)[:10]),
            }
            for network in networks
        ]
        return render(request, "frontdoor/routing_model.html", {"rows": rows})

    def post(self, request):
        networks = {network.slug: network for network in self._networks(request)}
        network = networks.get(request.POST.get("network", ""))
        if network is None:
            raise NotFound(_("Réseau introuvable."))
        job = retraining.routing_retrain_start(actor=request.user, network=network)
        messages.success(request, _("Réentraînement lancé : suivez sa progression ici."))
        return redirect("jobs:job-detail", job.public_id)
