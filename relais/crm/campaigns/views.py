"""Campaign screens: list, creation, detail (template, preview, exclusions, sending, clock),
report with the funnel and its CSV, and the inbox of replies."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from relais.core.downloads import csv_download
from relais.core.web import WorkspaceRequiredMixin, paginate, submit
from relais.crm.campaigns import merge_fields, selectors, services
from relais.crm.campaigns.forms import (
    AdvanceForm,
    CampaignCreateForm,
    CampaignEditForm,
    ProbabilitiesForm,
)
from relais.crm.models import CampaignStatus, ExclusionReason
from relais.crm.permissions import Permission

PREVIEW_CHOICES = 100


def _campaign(view, campaign_id):
    return selectors.campaign_get(
        user=view.request.user, workspace=view.workspace, public_id=campaign_id
    )


def _detail_redirect(campaign, anchor: str = ""):
    response = redirect("crm:campaign-detail", campaign_id=campaign.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


class CampaignListView(WorkspaceRequiredMixin, View):
    def get(self, request):
        page = paginate(
            request, selectors.campaign_list(user=request.user, workspace=self.workspace)
        )
        unread = selectors.inbox(user=request.user, workspace=self.workspace, state="non-lus")
        return render(
            request,
            "crm/campaigns/list.html",
            {"page_obj": page, "unread_count": unread.count()},
        )


class CampaignCreateView(WorkspaceRequiredMixin, View):
    def _form(self, request, data=None):
        initial = {}
        client = request.GET.get("client")
        if client:
            customer = selectors.customer_for_campaign(
                user=request.user, workspace=self.workspace, public_id=client
            )
            initial = {"target": "client", "client": customer.display_name, "client_id": client}
        segment = request.GET.get("segment")
        if segment:
            initial = {"target": "segment", "segment": segment}
        return CampaignCreateForm(
            data, initial=initial, user=request.user, workspace=self.workspace
        )

    def get(self, request):
        return render(request, "crm/campaigns/create.html", {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        campaign = submit(
            form,
            lambda: services.campaign_create(
                actor=request.user,
                workspace=self.workspace,
                name=form.cleaned_data["name"],
                channel=form.cleaned_data["channel"],
                segment=form.cleaned_data["segment_obj"],
                customer=form.cleaned_data["customer_obj"],
            ),
        )
        if campaign:
            messages.success(request, _("La campagne est créée : rédigez maintenant le message."))
            return _detail_redirect(campaign)
        return render(request, "crm/campaigns/create.html", {"form": form}, status=400)


def _preview_customers(campaign):
    if campaign.status == CampaignStatus.DRAFT:
        return list(services.campaign_targets(campaign)[:PREVIEW_CHOICES])
    return [
        r.customer
        for r in selectors.recipients_of(campaign=campaign, excluded=False)[:PREVIEW_CHOICES]
    ]


def _detail_context(request, workspace, campaign, *, form=None, probabilities_form=None):
    can_edit = request.user.has_role_permission(Permission.CRM_EDIT, workspace=request.workspace)
    context = {
        "campaign": campaign,
        "can_edit": can_edit,
        "merge_fields": merge_fields.MERGE_FIELDS,
        "preview_customers": _preview_customers(campaign),
        "job": selectors.campaign_job(user=request.user, campaign=campaign),
    }
    chosen = request.GET.get("destinataire")
    candidates = context["preview_customers"]
    customer = None
    if chosen:
        customer = selectors.customer_for_campaign(
            user=request.user, workspace=workspace, public_id=chosen
        )
    elif candidates:
        customer = candidates[0]
    context["preview"] = services.campaign_preview(campaign, customer) if customer else None
    if campaign.status == CampaignStatus.DRAFT:
        audience = services.campaign_audience(campaign)
        context["included_count"] = len(audience.included)
        context["reasons"] = [(ExclusionReason(r).label, n) for r, n in audience.reasons]
        excluded = Paginator(audience.excluded, 25).get_page(request.GET.get("page"))
        context["excluded_page"] = excluded
        context["excluded_rows"] = [(c, ExclusionReason(r).label) for c, r in excluded]
        context["form"] = form or CampaignEditForm(
            initial={
                "name": campaign.name,
                "subject": campaign.subject,
                "body": campaign.body,
                "seed": campaign.seed,
                "follow_up_days": campaign.follow_up_days,
            }
        )
        values, origin = selectors.reaction_probabilities(workspace=workspace, campaign=campaign)
        context["probabilities_origin"] = origin
        context["probabilities_form"] = probabilities_form or ProbabilitiesForm(
            initial=ProbabilitiesForm.initial_from(values)
        )
    else:
        counts = selectors.exclusion_counts(campaign=campaign)
        context["reasons"] = [(ExclusionReason(r).label, n) for r, n in counts]
        excluded = paginate(request, selectors.recipients_of(campaign=campaign, excluded=True))
        context["excluded_page"] = excluded
        context["excluded_rows"] = [(r.customer, r.get_excluded_reason_display()) for r in excluded]
        context["funnel"] = selectors.campaign_funnel(campaign=campaign)
        context["included_count"] = next(
            row.count for row in context["funnel"] if row.key == "sent"
        )
        context["pending_events"] = selectors.pending_event_count(campaign=campaign)
    return context


class CampaignDetailView(WorkspaceRequiredMixin, View):
    def get(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        chosen = request.GET.get("destinataire")
        if request.headers.get("HX-Request") and chosen:
            # The preview alone: no need to recompute the audience for an htmx swap.
            customer = selectors.customer_for_campaign(
                user=request.user, workspace=self.workspace, public_id=chosen
            )
            return render(
                request,
                "crm/campaigns/_preview.html",
                {"campaign": campaign, "preview": services.campaign_preview(campaign, customer)},
            )
        return render(
            request,
            "crm/campaigns/detail.html",
            _detail_context(request, self.workspace, campaign),
        )

    def post(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        form = CampaignEditForm(request.POST)
        if submit(
            form,
            lambda: services.campaign_update(
                actor=request.user, campaign=campaign, data=form.cleaned_data
            ),
        ):
            messages.success(request, _("Le message de la campagne est enregistré."))
            return _detail_redirect(campaign, "apercu")
        campaign.refresh_from_db()
        return render(
            request,
            "crm/campaigns/detail.html",
            _detail_context(request, self.workspace, campaign, form=form),
            status=400,
        )


class CampaignProbabilitiesView(WorkspaceRequiredMixin, View):
    def post(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        scope_campaign = None if request.POST.get("scope") == "workspace" else campaign
        if request.POST.get("action") == "reset":
            try:
                services.reaction_settings_reset(
                    actor=request.user,
                    workspace=self.workspace,
                    campaign=scope_campaign,
                    channel=campaign.channel,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Les probabilités par défaut sont rétablies."))
            return _detail_redirect(campaign, "probabilites")
        form = ProbabilitiesForm(request.POST)
        if submit(
            form,
            lambda: services.reaction_settings_save(
                actor=request.user,
                workspace=self.workspace,
                campaign=scope_campaign,
                channel=campaign.channel,
                values=form.values(),
            ),
        ):
            if scope_campaign is None:
                messages.success(
                    request, _("Les probabilités de ce canal sont enregistrées pour l'espace.")
                )
            else:
                messages.success(
                    request, _("Les probabilités sont enregistrées pour cette campagne.")
                )
            return _detail_redirect(campaign, "probabilites")
        return render(
            request,
            "crm/campaigns/detail.html",
            _detail_context(request, self.workspace, campaign, probabilities_form=form),
            status=400,
        )


class CampaignSendView(WorkspaceRequiredMixin, View):
    def get(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        audience = services.campaign_audience(campaign) if campaign.is_draft else None
        return render(
            request,
            "crm/campaigns/send_confirm.html",
            {
                "campaign": campaign,
                "included_count": len(audience.included) if audience else 0,
                "reasons": [(ExclusionReason(r).label, n) for r, n in audience.reasons]
                if audience
                else [],
            },
        )

    def post(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        try:
            services.campaign_send(actor=request.user, campaign=campaign)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("L'envoi a commencé : suivez sa progression ci-dessous."))
        return _detail_redirect(campaign, "envoi")


class CampaignResumeView(WorkspaceRequiredMixin, View):
    def post(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        try:
            services.campaign_send_resume(actor=request.user, campaign=campaign)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("L'envoi reprend : suivez sa progression ci-dessous."))
        return _detail_redirect(campaign, "envoi")


class CampaignAdvanceView(WorkspaceRequiredMixin, View):
    def post(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        form = AdvanceForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return _detail_redirect(campaign, "horloge")
        days = form.cleaned_data["days"]
        try:
            count, job = services.campaign_clock_move(
                actor=request.user, campaign=campaign, days=days
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _detail_redirect(campaign, "horloge")
        if job is not None:
            messages.info(
                request,
                _("Beaucoup de réactions à produire : l'horloge avance en arrière-plan."),
            )
            return _detail_redirect(campaign, "envoi")
        messages.success(
            request,
            ngettext(
                "Horloge avancée : %(count)s réaction s'est produite.",
                "Horloge avancée : %(count)s réactions se sont produites.",
                count,
            )
            % {"count": count},
        )
        return _detail_redirect(campaign, "horloge")


class CampaignDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        return render(request, "crm/campaigns/delete_confirm.html", {"campaign": campaign})

    def post(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        try:
            services.campaign_delete(actor=request.user, campaign=campaign)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _detail_redirect(campaign)
        messages.success(request, _("Le brouillon est supprimé."))
        return redirect("crm:campaign-list")


class CampaignReportView(WorkspaceRequiredMixin, View):
    def get(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        funnel = selectors.campaign_funnel(campaign=campaign)
        chart = [
            {"name": row.label, "value": row.count}
            for row in funnel
            if row.key in selectors.FUNNEL_STEPS
        ]
        return render(
            request,
            "crm/campaigns/report.html",
            {
                "campaign": campaign,
                "funnel": funnel,
                "chart": chart,
                "reasons": [
                    (ExclusionReason(r).label, n)
                    for r, n in selectors.exclusion_counts(campaign=campaign)
                ],
            },
        )


class CampaignExportView(WorkspaceRequiredMixin, View):
    """One line per targeted customer: coordinates used, exclusion, reactions."""

    def get(self, request, campaign_id):
        campaign = _campaign(self, campaign_id)
        return csv_download(
            selectors.campaign_export_rows(campaign=campaign),
            f"campagne-{slugify(campaign.name) or 'export'}.csv",
        )


class CampaignInboxView(WorkspaceRequiredMixin, View):
    STATES = ("", "non-lus", "a-traiter", "traites")

    def get(self, request):
        state = request.GET.get("etat", "")
        if state not in self.STATES:
            state = ""
        page = paginate(
            request, selectors.inbox(user=request.user, workspace=self.workspace, state=state)
        )
        return render(
            request,
            "crm/campaigns/inbox.html",
            {
                "page_obj": page,
                "state": state,
                "states": [
                    ("", _("Toutes")),
                    ("non-lus", _("Non lues")),
                    ("a-traiter", _("À traiter")),
                    ("traites", _("Traitées")),
                ],
            },
        )


class CampaignMessageView(WorkspaceRequiredMixin, View):
    def get(self, request, message_id):
        message = selectors.message_get(
            user=request.user, workspace=self.workspace, public_id=message_id
        )
        return render(
            request,
            "crm/campaigns/message.html",
            {"message": message, "today": timezone.localdate()},
        )


class CampaignMessageReadView(WorkspaceRequiredMixin, View):
    """Mark a reply read: posted by the reply's page once shown, or by its button without JS.

    Reading a page never writes (a link preview or a prefetch must not mark a reply read).
    """

    def post(self, request, message_id):
        message = selectors.message_get(
            user=request.user, workspace=self.workspace, public_id=message_id
        )
        services.message_mark_read(actor=request.user, message=message)
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(status=204)
        return redirect("crm:campaign-message", message_id=message.public_id)


class CampaignMessageHandleView(WorkspaceRequiredMixin, View):
    def post(self, request, message_id):
        message = selectors.message_get(
            user=request.user, workspace=self.workspace, public_id=message_id
        )
        handled = request.POST.get("handled", "1") == "1"
        services.message_handle(actor=request.user, message=message, handled=handled)
        if handled:
            messages.success(request, _("La réponse est marquée comme traitée."))
        else:
            messages.success(request, _("La réponse est de nouveau à traiter."))
        return redirect("crm:campaign-message", message_id=message.public_id)
