"""Pages of the front door: thin — parse, check access (selectors), call a service, render."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from relais.core.organizations.selectors import organization_for_request_host
from relais.core.web import add_service_errors, paginate, submit
from relais.frontdoor import access, clocks, selectors, services, space_selectors
from relais.frontdoor import letters as pdf_letters
from relais.frontdoor.forms import (
    AcknowledgeForm,
    AnswerForm,
    AnswerTemplateForm,
    AskForm,
    AssignForm,
    BoardFilterForm,
    BodyActionForm,
    CloseForm,
    IntakeForm,
    JointDecisionForm,
    JointEditForm,
    LetterIntakeForm,
    LetterUploadForm,
    ListFilterForm,
    MessageFilesForm,
    RefuseForm,
    TrackingForm,
    TransferForm,
    WaitingForm,
)
from relais.frontdoor.models import RequestChannel, RequestState
from relais.frontdoor.services import answer_templates, joint_answers
from relais.frontdoor.services.attachments import (
    attachment_download_log,
    message_post_with_files,
)
from relais.frontdoor.services.letters import letter_request_submit, letter_upload
from relais.frontdoor.space_forms import OfferLinkForm

SESSION_KEY = "frontdoor_submitted"


def _public_network(request):
    network = selectors.network_for_host(organization=organization_for_request_host(request))
    if network is None:
        raise Http404(_("Aucun guichet unique n'est ouvert sur ce site."))
    return network


def _referrer_site(request) -> str:
    """The site the « Poser une question » button was clicked on (its host), if any."""
    referrer = request.headers.get("Referer", "")
    if referrer and not url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}
    ):
        from urllib.parse import urlsplit

        return urlsplit(referrer).netloc[:200]
    return ""


class AskView(View):
    """« Poser une question »: the public form, no sign-in."""

    template_name = "frontdoor/ask.html"

    def get(self, request):
        network = _public_network(request)
        form = AskForm(initial={"site": _referrer_site(request)})
        return render(request, self.template_name, {"form": form, "network": network})

    def post(self, request):
        network = _public_network(request)
        form = AskForm(request.POST)
        created = submit(
            form,
            lambda: services.request_submit(
                network=network,
                channel=RequestChannel.WEB,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                company=form.company(),
                person=form.person(),
                requester_role=form.cleaned_data["requester_role"],
                critical=form.cleaned_data["critical"],
                source_site=form.cleaned_data["site"],
            ),
        )
        if created is None:
            return render(
                request, self.template_name, {"form": form, "network": network}, status=422
            )
        request.session[SESSION_KEY] = str(created.public_id)
        return redirect("frontdoor:acknowledgement")


class AcknowledgementView(View):
    """The page after sending: the tracking code and what happens next."""

    def get(self, request):
        from relais.frontdoor.models import Request

        public_id = request.session.get(SESSION_KEY)
        found = (
            Request.objects.filter(public_id=public_id).select_related("network").first()
            if public_id
            else None
        )
        if found is None:
            return redirect("frontdoor:ask")
        context = {"request_obj": found, **services.acknowledgement_context(found)}
        return render(request, "frontdoor/acknowledgement.html", context)


class TrackingView(View):
    """Public tracking: the tracking code and the e-mail given with the request."""

    template_name = "frontdoor/tracking.html"

    def get(self, request):
        return render(request, self.template_name, {"form": TrackingForm()})

    def post(self, request):
        form = TrackingForm(request.POST)
        found = None
        if form.is_valid():
            found = selectors.request_by_tracking(
                tracking_code=form.cleaned_data["tracking_code"], email=form.cleaned_data["email"]
            )
            if found is None:
                form.add_error(
                    None,
                    _("Aucune demande ne correspond à ce code de suivi et à cette adresse e-mail."),
                )
                form.mark_invalid_fields()
        context = {"form": form, "found": found}
        if found is not None:
            services.request_tracking_consult(request=found)
            context.update(selectors.public_thread(request=found))
            context["history"] = space_selectors.public_history(request=found)
            context["other_requests"] = space_selectors.requester_requests(request=found)
            context["survey"] = getattr(found, "survey", None)
            context["files"] = selectors.requester_attachments(request=found)
        return render(
            request, self.template_name, context, status=200 if found or not form.errors else 422
        )


class TrackingAttachmentView(View):
    """A file of the requester's request, downloaded from the tracking page: the form
    carries the tracking code and e-mail again (the page's only access, no account), the
    file must belong to that request and be one the requester sees; the download is
    audited, hence a POST (no write on a GET)."""

    def post(self, request, attachment_id):
        form = TrackingForm(request.POST)
        found = None
        if form.is_valid():
            found = selectors.request_by_tracking(
                tracking_code=form.cleaned_data["tracking_code"], email=form.cleaned_data["email"]
            )
        if found is None:
            raise Http404(_("Pièce jointe introuvable."))
        attachment = selectors.requester_attachment_get(request=found, public_id=attachment_id)
        services.request_tracking_download(request=found, attachment=attachment)
        return _attachment_response(attachment)


def _attachment_response(attachment) -> FileResponse:
    """A kept file as a download that the browser never renders nor sniffs."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- staff pages ---------------------------------------------------------------------


class RequestListView(LoginRequiredMixin, View):
    def get(self, request):
        form = ListFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        requests = selectors.request_list(
            user=request.user,
            state=data.get("etat", ""),
            q=data.get("q", ""),
            mine=bool(data.get("mine")),
        )
        page = paginate(request, requests, per_page=25)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "frontdoor/request_list.html",
            {
                "form": form,
                "page_obj": page,
                "query": query.urlencode(),
                "can_create": selectors.intake_bodies(user=request.user).exists(),
            },
        )


class RequestCreateView(LoginRequiredMixin, View):
    """A request received by phone, at the counter or by letter."""

    template_name = "frontdoor/request_form.html"

    def _bodies(self, request):
        bodies = list(selectors.intake_bodies(user=request.user))
        if not bodies:
            raise Http404(_("Vous ne saisissez de demande pour aucun organisme."))
        return bodies

    def get(self, request):
        form = IntakeForm(bodies=self._bodies(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        bodies = {b.code: b for b in self._bodies(request)}
        form = IntakeForm(request.POST, bodies=bodies.values())
        created = submit(
            form,
            lambda: services.request_submit(
                channel=form.cleaned_data["channel"],
                actor=request.user,
                **form.submit_fields(bodies),
            ),
        )
        if created is None:
            return render(request, self.template_name, {"form": form}, status=422)
        messages.success(
            request,
            _("Demande enregistrée sous le code %(code)s.") % {"code": created.tracking_code},
        )
        return redirect("frontdoor:request-detail", created.public_id)


def _forms_for(view, user, data=None, prefix_bound=None, files=None, answer_initial=None) -> dict:
    """The action forms of the request page, for what ``user`` may do (``answer_initial``:
    the answer's text merged from a template)."""
    request = view.request
    held = view.handling_bodies
    active_codes = {a.body.code for a in view.assignments if a.is_active}
    pending = [a.body for a in view.assignments if a.state == "pending" and a.body in held]
    forms = {}

    def bound(name):
        return data if prefix_bound == name else None

    if pending:
        forms["accept"] = BodyActionForm(bound("accept"), bodies=pending, prefix="accept")
    movable = [
        a.body for a in view.assignments if a.state in ("pending", "accepted") and a.body in held
    ]
    if movable:
        forms["refuse"] = RefuseForm(bound("refuse"), bodies=movable, prefix="refuse")
        targets = [b for b in view.network_bodies if b.code not in active_codes]
        if targets:
            forms["transfer"] = TransferForm(
                bound("transfer"), bodies=movable, targets=targets, prefix="transfer"
            )
    if held and not request.closed_at:
        others = [b for b in view.network_bodies if b.code in active_codes and b not in held]
        forms["answer"] = AnswerForm(
            bound("answer"),
            bodies=held,
            joint=others,
            prefix="answer",
            initial={"channel": request.channel, **(answer_initial or {})},
        )
    if (held or view.can_dispatch) and not request.closed_at:
        forms["message"] = MessageFilesForm(
            bound("message"), files if prefix_bound == "message" else None, prefix="message"
        )
    if view.can_dispatch and not request.closed_at:
        targets = [b for b in view.network_bodies if b.code not in active_codes]
        if targets:
            forms["assign"] = AssignForm(bound("assign"), bodies=targets, prefix="assign")
    if (held or view.can_moderate) and not request.closed_at:
        forms["close"] = CloseForm(bound("close"), prefix="close")
    if request.acknowledged_at is None and (held or view.can_dispatch or view.first_body_mine):
        forms["acknowledge"] = AcknowledgeForm(bound("acknowledge"), prefix="acknowledge")
    if held and not request.closed_at:
        forms["waiting"] = WaitingForm(
            bound("waiting"),
            prefix="waiting",
            initial={"waiting": not request.waiting_for_requester},
        )
    return forms


class RequestDetailView(LoginRequiredMixin, View):
    template_name = "frontdoor/request_detail.html"

    def render_page(
        self, request, view, forms=None, status=200, personal=None, answer_initial=None
    ):
        forms = forms or _forms_for(view, request.user, answer_initial=answer_initial)
        context = {
            "view": view,
            "request_obj": view.request,
            "forms": forms,
            "personal": personal,
            "legal_clocks": [c for c in view.clocks if c.legal],
            "commitment_clocks": [c for c in view.clocks if not c.legal],
            "states": RequestState,
            "attachments": list(selectors.attachments_for(user=request.user, request=view.request)),
            "mails": list(selectors.mails_for(request=view.request)),
            "answer_templates": list(
                selectors.answer_templates_for_request(user=request.user, request=view.request)
            ),
            "joint_answers": selectors.joint_answer_rows(user=request.user, request=view.request),
            "joint_edit_channels": RequestChannel.choices,
            **_space_context(request.user, view),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, request_id):
        view = selectors.request_view(user=request.user, public_id=request_id)
        return self.render_page(request, view, answer_initial=_answer_from_template(request, view))


def _answer_from_template(request, view) -> dict | None:
    """The answer form's text merged from the template chosen (``?modele=``), if any."""
    chosen = request.GET.get("modele", "")
    if not chosen or not view.handling_bodies:
        return None
    template = selectors.answer_template_for_request(
        user=request.user, request=view.request, public_id=chosen
    )
    try:
        text = answer_templates.template_merge(
            template.text, request=view.request, body=template.body, author=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    return {"text": text, "body": template.body.code}


def _space_context(user, view) -> dict:
    """The shared space on the request page: similar past requests, linked offers."""

    found = view.request
    may_link = bool(view.handling_bodies or view.can_dispatch)
    offers = list(space_selectors.offers_to_link(request=found)) if may_link else []
    return {
        "analogies": space_selectors.similar_requests(user=user, request=found),
        "offer_links": space_selectors.offers_for_request(request=found),
        "offer_form": OfferLinkForm(offers=offers, prefix="offer") if offers else None,
    }


class RequestActionView(LoginRequiredMixin, View):
    """One POST action of the request page (``action`` names the form and the service)."""

    action = ""

    def post(self, request, request_id):
        view = selectors.request_view(user=request.user, public_id=request_id)
        forms = _forms_for(
            view, request.user, data=request.POST, prefix_bound=self.action, files=request.FILES
        )
        form = forms.get(self.action)
        if form is None:
            raise Http404(_("Cette action n'est pas possible sur cette demande."))
        if not form.is_valid():
            return RequestDetailView().render_page(request, view, forms, status=422)
        try:
            done = self.perform(request, view, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return RequestDetailView().render_page(request, view, forms, status=422)
        messages.success(request, done)
        return redirect("frontdoor:request-detail", view.request.public_id)

    def perform(self, request, view, data) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


def _body(view, code):
    return selectors.body_in_network(network=view.request.network, code=code)


class RequestAcceptView(RequestActionView):
    action = "accept"

    def perform(self, request, view, data):
        assignment = selectors.assignment_get(
            user=request.user, request=view.request, body_code=data["body"]
        )
        services.assignment_accept(actor=request.user, assignment=assignment)
        return _("Demande prise en charge.")


class RequestRefuseView(RequestActionView):
    action = "refuse"

    def perform(self, request, view, data):
        assignment = selectors.assignment_get(
            user=request.user, request=view.request, body_code=data["body"]
        )
        services.assignment_refuse(actor=request.user, assignment=assignment, reason=data["reason"])
        return _("« Pas pour moi » enregistré : la demande repart vers le répartiteur.")


class RequestTransferView(RequestActionView):
    action = "transfer"

    def perform(self, request, view, data):
        assignment = selectors.assignment_get(
            user=request.user, request=view.request, body_code=data["body"]
        )
        target = _body(view, data["to_body"])
        services.assignment_transfer(
            actor=request.user, assignment=assignment, to_body=target, reason=data["reason"]
        )
        return _("Demande transmise à %(body)s.") % {"body": target.name}


class RequestAssignView(RequestActionView):
    action = "assign"

    def perform(self, request, view, data):
        bodies = [_body(view, code) for code in data["bodies"]]
        services.request_assign(
            actor=request.user, request=view.request, bodies=bodies, note=data["note"]
        )
        return _("Demande orientée.")


class RequestMessageView(RequestActionView):
    action = "message"

    def perform(self, request, view, data):
        message_post_with_files(
            actor=request.user,
            request=view.request,
            text=data["text"],
            visibility=data["visibility"],
            files=data["files"],
        )
        return _("Message publié.")


class RequestAnswerView(RequestActionView):
    action = "answer"

    def perform(self, request, view, data):
        co_bodies = [_body(view, code) for code in data["joint"]]
        if co_bodies:
            services.joint_answer_propose(
                actor=request.user,
                request=view.request,
                text=data["text"],
                body=_body(view, data["body"]),
                co_bodies=co_bodies,
                channel=data["channel"],
            )
            return _(
                "Projet de réponse commune soumis à %(bodies)s : il partira quand chacun "
                "l'aura approuvé."
            ) % {"bodies": ", ".join(b.name for b in co_bodies)}
        services.answer_send(
            actor=request.user,
            request=view.request,
            text=data["text"],
            body=_body(view, data["body"]),
            channel=data["channel"],
        )
        return _("Réponse enregistrée et envoyée.")


class JointAnswerActionView(LoginRequiredMixin, View):
    """One POST action on a joint answer of the request page: a co-signing body approves
    or asks for a change (``cosigner``), the drafting body edits (``modifier``) or
    withdraws it (``retirer``). Thin: the services check who may."""

    form_class = None

    def post(self, request, request_id, joint_id):
        found = selectors.request_get(user=request.user, public_id=request_id)
        joint = joint_answers.joint_answer_get(user=request.user, public_id=joint_id)
        if joint.request_id != found.pk:
            raise Http404(_("Réponse commune introuvable."))
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("frontdoor:request-detail", found.public_id)
        try:
            done = self.perform(request, joint, form.cleaned_data if form else {})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect("frontdoor:request-detail", found.public_id)

    def perform(self, request, joint, data) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class JointAnswerDecideView(JointAnswerActionView):
    form_class = JointDecisionForm

    def perform(self, request, joint, data):
        approve = data["decision"] == "approve"
        joint_answers.joint_answer_decide(
            actor=request.user, joint_answer=joint, approve=approve, comment=data["comment"]
        )
        joint.refresh_from_db()
        if joint.state == "sent":
            return _(
                "Réponse commune approuvée : toutes les co-signatures sont réunies, elle est envoyée."
            )
        if approve:
            return _("Réponse commune approuvée.")
        return _("Demande de modification transmise à l'organisme rédacteur.")


class JointAnswerEditView(JointAnswerActionView):
    form_class = JointEditForm

    def perform(self, request, joint, data):
        joint_answers.joint_answer_edit(
            actor=request.user, joint_answer=joint, text=data["text"], channel=data["channel"]
        )
        return _("Projet modifié : les organismes co-signataires l'approuvent de nouveau.")


class JointAnswerWithdrawView(JointAnswerActionView):
    def perform(self, request, joint, data):
        joint_answers.joint_answer_withdraw(actor=request.user, joint_answer=joint)
        return _("Projet de réponse commune retiré.")


class RequestAcknowledgeView(RequestActionView):
    action = "acknowledge"

    def perform(self, request, view, data):
        services.request_acknowledge(request=view.request, actor=request.user)
        return _("Accusé de réception enregistré.")


class RequestWaitingView(RequestActionView):
    action = "waiting"

    def perform(self, request, view, data):
        waiting = not view.request.waiting_for_requester
        services.request_set_waiting(actor=request.user, request=view.request, waiting=waiting)
        return _("Demande en attente du demandeur.") if waiting else _("Traitement repris.")


class RequestCloseView(RequestActionView):
    action = "close"

    def perform(self, request, view, data):
        services.request_close(actor=request.user, request=view.request, note=data["note"])
        return _("Demande clôturée.")


class RequestPersonalDataView(LoginRequiredMixin, View):
    """The requester's contact details, revealed on demand and written in the audit log."""

    def post(self, request, request_id):
        view = selectors.request_view(user=request.user, public_id=request_id)
        personal = services.request_personal_data_reveal(actor=request.user, request=view.request)
        return RequestDetailView().render_page(request, view, personal=personal)


class DispatchQueueView(LoginRequiredMixin, View):
    def get(self, request):
        queue = selectors.dispatch_queue(user=request.user)
        page = paginate(request, queue, per_page=25)
        return render(
            request,
            "frontdoor/dispatch_queue.html",
            {"page_obj": page, "is_dispatcher": access.dispatch_networks(request.user).exists()},
        )


class BoardView(LoginRequiredMixin, View):
    """The moderator's board: counts per body and referent, the open requests by column,
    and their CSV export (``format=csv``)."""

    def get(self, request):
        if not access.moderated_networks(request.user).exists():
            raise Http404(_("Vous n'animez aucun réseau."))
        bodies = selectors.moderated_bodies(user=request.user)
        form = BoardFilterForm(request.GET or None, bodies=bodies)
        data = form.cleaned_data if form.is_valid() else {}
        column, priority = data.get("etat", ""), data.get("niveau", "")
        requests = selectors.board_requests(
            user=request.user, state=column, priority=priority, body_code=data.get("vue", "")
        )
        if request.GET.get("format") == "csv":
            return _board_csv(requests)
        page = paginate(request, requests, per_page=50)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "frontdoor/board.html",
            {
                "form": form,
                "counts": selectors.board(user=request.user, priority=priority),
                "surveys": _survey_results(request.user),
                "page_obj": page,
                "today": selectors.today(),
                "query": query.urlencode(),
            },
        )


def _survey_results(user) -> dict:
    return space_selectors.survey_results(user=user)


def _board_csv(requests) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="suivi-guichet-unique.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "code",
            "reçue le",
            "état",
            "priorité",
            "critique",
            "organismes",
            "référents",
            "première réponse due",
            "résolution due",
            "rejet implicite le",
            "jours ouvrés restants",
        ]
    )
    calendar = clocks.network_calendar()
    for item in requests:
        active = [a for a in item.assignments.all() if a.is_active]
        writer.writerow(
            [
                item.tracking_code,
                clocks.local_date(item.received_at).isoformat(),
                item.get_state_display(),
                item.get_priority_display(),
                "1" if item.critical else "0",
                "|".join(a.body.code for a in active),
                "|".join(a.handled_by.display_name for a in active if a.handled_by),
                item.first_answer_due.isoformat() if item.first_answer_due else "",
                item.resolution_due.isoformat() if item.resolution_due else "",
                item.rejection_deadline.isoformat() if item.rejection_deadline else "",
                clocks.remaining_working_days(calendar, item.resolution_due)
                if item.resolution_due
                else "",
            ]
        )
    return response


class EmbedView(LoginRequiredMixin, View):
    """The « Poser une question » button to paste on each body's site: the same for all;
    the form records the site it came from (the referrer's host)."""

    def get(self, request):
        bodies = list(access.bodies_of(request.user).select_related("network"))
        if not bodies and not access.moderated_networks(request.user).exists():
            raise Http404(_("Vous n'êtes membre d'aucun réseau."))
        url = request.build_absolute_uri(reverse("frontdoor:ask"))
        snippet = format_html(
            '<a href="{}" referrerpolicy="origin" style="display:inline-block;'
            "padding:.6em 1.2em;background:#000091;color:#fff;border-radius:.3em;"
            'font-weight:bold;text-decoration:none">{}</a>',
            url,
            _("Poser une question"),
        )
        return render(request, "frontdoor/embed.html", {"snippet": snippet, "url": url})


# --- files, scanned letters, answer templates --------------------------------------------


class AttachmentDownloadView(LoginRequiredMixin, View):
    """A file of a request, for those who read it; each download is in the audit log, hence
    a POST (no write on a GET)."""

    def post(self, request, attachment_id):
        attachment = selectors.attachment_get(user=request.user, public_id=attachment_id)
        attachment_download_log(actor=request.user, attachment=attachment)
        return _attachment_response(attachment)


class LetterUploadView(LoginRequiredMixin, View):
    """A scanned letter: first the PDF, whose text is read, then the request it holds."""

    template_name = "frontdoor/letter_upload.html"

    def get(self, request):
        if not selectors.intake_bodies(user=request.user).exists():
            raise Http404(_("Vous ne saisissez de demande pour aucun organisme."))
        return render(request, self.template_name, {"form": LetterUploadForm()})

    def post(self, request):
        if not selectors.intake_bodies(user=request.user).exists():
            raise Http404(_("Vous ne saisissez de demande pour aucun organisme."))
        form = LetterUploadForm(request.POST, request.FILES)
        uploaded = submit(
            form,
            lambda: letter_upload(
                actor=request.user,
                filename=form.cleaned_data["pdf"][0],
                data=form.cleaned_data["pdf"][1],
            ),
        )
        if uploaded is None:
            return render(request, self.template_name, {"form": form}, status=422)
        return redirect("frontdoor:letter-intake", uploaded.attachment.public_id)


class LetterIntakeView(LoginRequiredMixin, View):
    template_name = "frontdoor/letter_intake.html"

    def _context(self, request, letter_id, form=None):
        letter = selectors.pending_letter_get(user=request.user, public_id=letter_id)
        bodies = list(selectors.intake_bodies(user=request.user))
        if not bodies:
            raise Http404(_("Vous ne saisissez de demande pour aucun organisme."))
        extracted = pdf_letters.letter_text(letter.file.open("rb").read())
        if form is None:
            form = LetterIntakeForm(bodies=bodies, initial={"text": extracted.text[:10_000]})
        return {
            "form": form,
            "letter": letter,
            "bodies": bodies,
            "extracted": extracted,
            "notice": "" if extracted.has_text_layer else pdf_letters.no_text_layer_message(),
            "ocr_notice": pdf_letters.ocr_notice(extracted) if extracted.recognised else "",
        }

    def get(self, request, letter_id):
        return render(request, self.template_name, self._context(request, letter_id))

    def post(self, request, letter_id):
        context = self._context(request, letter_id)
        bodies = {b.code: b for b in context["bodies"]}
        form = LetterIntakeForm(request.POST, bodies=bodies.values())
        context["form"] = form
        created = submit(
            form,
            lambda: letter_request_submit(
                actor=request.user, letter=context["letter"], **form.submit_fields(bodies)
            ),
        )
        if created is None:
            return render(request, self.template_name, context, status=422)
        messages.success(
            request,
            _("Courrier enregistré sous le code %(code)s.") % {"code": created.tracking_code},
        )
        return redirect("frontdoor:request-detail", created.public_id)


class AnswerTemplateListView(LoginRequiredMixin, View):
    """A body's answer templates, kept by its supervisors and moderators."""

    template_name = "frontdoor/answer_templates.html"

    def _bodies(self, request):
        bodies = list(selectors.template_bodies(user=request.user))
        if not bodies:
            raise Http404(_("Vous ne gérez les modèles de réponse d'aucun organisme."))
        return bodies

    def _render(self, request, form, status=200, template=None):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "templates": selectors.answer_templates_managed(user=request.user),
                "editing": template,
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, AnswerTemplateForm(bodies=self._bodies(request)))

    def post(self, request, template=None):
        bodies = {b.code: b for b in self._bodies(request)}
        form = AnswerTemplateForm(request.POST, bodies=bodies.values())
        saved = submit(
            form,
            lambda: answer_templates.answer_template_save(
                actor=request.user,
                body=bodies[form.cleaned_data["body"]],
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                active=form.cleaned_data["active"],
                template=template,
            ),
        )
        if saved is None:
            return self._render(request, form, status=422, template=template)
        messages.success(request, _("Modèle « %(name)s » enregistré.") % {"name": saved.name})
        return redirect("frontdoor:answer-templates")


class AnswerTemplateEditView(AnswerTemplateListView):
    def get(self, request, template_id):
        template = selectors.answer_template_managed_get(user=request.user, public_id=template_id)
        form = AnswerTemplateForm(
            bodies=self._bodies(request),
            initial={
                "body": template.body.code,
                "name": template.name,
                "text": template.text,
                "active": template.active,
            },
        )
        return self._render(request, form, template=template)

    def post(self, request, template_id):
        template = selectors.answer_template_managed_get(user=request.user, public_id=template_id)
        return super().post(request, template=template)
