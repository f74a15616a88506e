"""Journey screens: the list (with the bin), creation from a template or a blank page, the
editor of phases and steps, the journey map and the exports. Thin: parse, call a selector or
a service, render. The organization is the current workspace's."""

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View

from relais.core.downloads import CSV_TYPE, file_download
from relais.core.web import WorkspaceRequiredMixin, submit
from relais.journeys import selectors, services
from relais.journeys.access import ensure_journey_permission, has_journey_permission
from relais.journeys.bpmn import journey_bpmn, journey_csv, journey_data, journey_json
from relais.journeys.comparison import compare, observed_from_mining
from relais.journeys.forms import (
    JourneyForm,
    MoveForm,
    ObservedForm,
    PhaseForm,
    StepForm,
    TemplateForm,
)
from relais.journeys.forms_logs import LogChoiceForm
from relais.journeys.journey_map import journey_map
from relais.journeys.observed import observed_mining
from relais.journeys.permissions import Permission
from relais.journeys.selectors_logs import log_get_ready, log_ready_list
from relais.journeys.templates_catalogue import TEMPLATES


class OrganizationJourneyView(WorkspaceRequiredMixin, View):
    """The base of every journeys page: journeys, logs and recommendations belong to the
    current workspace's organization; reading is checked by the selectors, editing here."""

    @property
    def organization(self):
        return self.workspace.organization

    def can_edit(self) -> bool:
        return has_journey_permission(
            self.request.user, Permission.JOURNEYS_EDIT, self.organization
        )

    def ensure_edit(self) -> None:
        ensure_journey_permission(self.request.user, Permission.JOURNEYS_EDIT, self.organization)

    def journey(self, journey_id, **kwargs):
        return selectors.journey_get(
            user=self.request.user, organization=self.organization, public_id=journey_id, **kwargs
        )

    def phase(self, journey_id, phase_id):
        return selectors.phase_get(
            user=self.request.user,
            organization=self.organization,
            journey_id=journey_id,
            phase_id=phase_id,
        )

    def step(self, journey_id, step_id):
        return selectors.step_get(
            user=self.request.user,
            organization=self.organization,
            journey_id=journey_id,
            step_id=step_id,
        )


def _to_editor(journey, anchor: str = ""):
    response = redirect("journeys:journey-detail", journey_id=journey.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# Journeys ---------------------------------------------------------------------------------


class JourneyListView(OrganizationJourneyView):
    def get(self, request):
        journeys = selectors.journey_list(user=request.user, organization=self.organization)
        can_edit = self.can_edit()
        deleted = (
            selectors.journey_list(user=request.user, organization=self.organization, deleted=True)
            if can_edit
            else []
        )
        return render(
            request,
            "journeys/list.html",
            {
                "journeys": journeys,
                "deleted": deleted,
                "can_edit": can_edit,
                "templates": TEMPLATES,
            },
        )


class JourneyCreateView(OrganizationJourneyView):
    template_name = "journeys/create.html"

    def _render(self, request, form, status=200):
        return render(
            request, self.template_name, {"form": form, "templates": TEMPLATES}, status=status
        )

    def get(self, request):
        self.ensure_edit()
        return self._render(request, JourneyForm())

    def post(self, request):
        self.ensure_edit()
        form = JourneyForm(request.POST)
        journey = submit(
            form,
            lambda: services.journey_create(
                actor=request.user, organization=self.organization, **form.cleaned_data
            ),
        )
        if journey is None:
            return self._render(request, form, status=400)
        messages.success(request, _("Parcours « %(title)s » créé.") % {"title": journey.title})
        return _to_editor(journey)


class JourneyFromTemplateView(OrganizationJourneyView):
    http_method_names = ["post"]

    def post(self, request):
        self.ensure_edit()
        form = TemplateForm(request.POST)
        journey = submit(
            form,
            lambda: services.journey_from_template(
                form.cleaned_data["template"], self.organization, actor=request.user
            ),
        )
        if journey is None:
            return render(
                request,
                "journeys/create.html",
                {"form": JourneyForm(), "template_form": form, "templates": TEMPLATES},
                status=400,
            )
        messages.success(
            request,
            _("Parcours « %(title)s » créé à partir du modèle : adaptez-le à votre organisme.")
            % {"title": journey.title},
        )
        return _to_editor(journey)


class JourneyEditorView(OrganizationJourneyView):
    def get(self, request, journey_id):
        journey = self.journey(journey_id)
        return render(
            request,
            "journeys/editor.html",
            {
                "journey": journey,
                "can_edit": self.can_edit(),
                "phase_form": PhaseForm(auto_id="id_new_phase_%s"),
            },
        )


class JourneyEditView(OrganizationJourneyView):
    template_name = "journeys/journey_form.html"

    def get(self, request, journey_id):
        journey = self.journey(journey_id)
        self.ensure_edit()
        form = JourneyForm(
            initial={
                "title": journey.title,
                "public": journey.public,
                "procedure": journey.procedure,
                "description": journey.description,
            }
        )
        return render(request, self.template_name, {"journey": journey, "form": form})

    def post(self, request, journey_id):
        journey = self.journey(journey_id)
        form = JourneyForm(request.POST)
        saved = submit(
            form,
            lambda: services.journey_update(
                actor=request.user, journey=journey, **form.cleaned_data
            ),
        )
        if saved is None:
            return render(
                request, self.template_name, {"journey": journey, "form": form}, status=400
            )
        messages.success(request, _("Parcours enregistré."))
        return _to_editor(saved)


class JourneyDuplicateView(OrganizationJourneyView):
    http_method_names = ["post"]

    def post(self, request, journey_id):
        journey = self.journey(journey_id)
        copy = services.journey_duplicate(actor=request.user, journey=journey)
        messages.success(request, _("Copie créée : « %(title)s ».") % {"title": copy.title})
        return _to_editor(copy)


class JourneyDeleteView(OrganizationJourneyView):
    def get(self, request, journey_id):
        journey = self.journey(journey_id)
        return render(
            request,
            "journeys/confirm_delete.html",
            {
                "journey": journey,
                "can_edit": self.can_edit(),
                "what": _("le parcours « %(title)s »") % {"title": journey.title},
                "explanation": _(
                    "Le parcours ira dans la corbeille de la liste des parcours : vous pourrez "
                    "le restaurer tel quel, avec ses phases et ses étapes."
                ),
            },
        )

    def post(self, request, journey_id):
        journey = self.journey(journey_id)
        services.journey_delete(actor=request.user, journey=journey)
        messages.success(
            request,
            _("Parcours « %(title)s » mis à la corbeille. Vous pouvez le restaurer ci-dessous.")
            % {"title": journey.title},
        )
        return redirect("journeys:journey-list")


class JourneyRestoreView(OrganizationJourneyView):
    http_method_names = ["post"]

    def post(self, request, journey_id):
        self.ensure_edit()
        journey = self.journey(journey_id, deleted=True)
        services.journey_restore(actor=request.user, journey=journey)
        messages.success(request, _("Parcours « %(title)s » restauré.") % {"title": journey.title})
        return _to_editor(journey)


class JourneyMapView(OrganizationJourneyView):
    def get(self, request, journey_id):
        journey = self.journey(journey_id)
        return render(
            request, "journeys/map.html", {"journey": journey, "map": journey_map(journey)}
        )


class JourneyCompareView(OrganizationJourneyView):
    """Modelled vs observed: the designed journey against a mining result the user uploads
    (read, compared and shown; nothing is stored)."""

    template_name = "journeys/compare.html"
    VARIANTS_SHOWN = 20

    def _log_form(self, data=None):
        logs = log_ready_list(user=self.request.user, organization=self.organization)
        return LogChoiceForm(data, logs=logs)

    def get(self, request, journey_id):
        journey = self.journey(journey_id)
        context = {"journey": journey, "form": ObservedForm(), "log_form": self._log_form()}
        return render(request, self.template_name, context)

    def post(self, request, journey_id):
        journey = self.journey(journey_id)
        form, log_form, observed_log = ObservedForm(), self._log_form(), None
        if "log" in request.POST:  # one of the organization's kept logs
            log_form = self._log_form(request.POST)
            if log_form.is_valid():
                observed_log = log_get_ready(
                    user=request.user,
                    organization=self.organization,
                    public_id=log_form.cleaned_data["log"],
                )
                observed = observed_from_mining(observed_mining(observed_log))
        else:
            form = ObservedForm(request.POST, request.FILES)
            if form.is_valid():
                observed = form.cleaned_data["result"]
        if not (form.is_valid() or observed_log is not None):
            context = {"journey": journey, "form": form, "log_form": log_form}
            return render(request, self.template_name, context, status=400)
        stats, variants, n_cases = observed
        result = compare(journey_data(journey), stats, variants, n_cases=n_cases)
        return render(
            request,
            self.template_name,
            {
                "journey": journey,
                "form": ObservedForm(),
                "log_form": self._log_form(),
                "observed_log": observed_log,
                "result": result,
                "deviating": result["deviating"][: self.VARIANTS_SHOWN],
            },
        )


class JourneyExportView(OrganizationJourneyView):
    format = "json"
    FORMATS = {
        "bpmn": (journey_bpmn, "application/xml; charset=utf-8", "bpmn"),
        "bpmn-channels": (
            partial(journey_bpmn, lanes="channel"),
            "application/xml; charset=utf-8",
            "canaux.bpmn",
        ),
        "json": (journey_json, "application/json; charset=utf-8", "json"),
        "csv": (journey_csv, CSV_TYPE, "csv"),
    }

    def get(self, request, journey_id):
        journey = self.journey(journey_id)
        build, content_type, extension = self.FORMATS[self.format]
        name = slugify(journey.title) or "parcours"
        return file_download(
            build(journey), filename=f"{name}.{extension}", content_type=content_type
        )


# Phases -----------------------------------------------------------------------------------


class PhaseAddView(OrganizationJourneyView):
    http_method_names = ["post"]

    def post(self, request, journey_id):
        journey = self.journey(journey_id)
        form = PhaseForm(request.POST, auto_id="id_new_phase_%s")
        phase = submit(
            form,
            lambda: services.phase_add(
                actor=request.user, journey=journey, name=form.cleaned_data["name"]
            ),
        )
        if phase is None:
            return render(
                request,
                "journeys/editor.html",
                {"journey": journey, "can_edit": self.can_edit(), "phase_form": form},
                status=400,
            )
        messages.success(request, _("Phase « %(name)s » ajoutée.") % {"name": phase.name})
        return _to_editor(journey, f"phase-{phase.public_id}")


class PhaseEditView(OrganizationJourneyView):
    template_name = "journeys/phase_form.html"

    def get(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        self.ensure_edit()
        form = PhaseForm(initial={"name": phase.name})
        return render(request, self.template_name, {"phase": phase, "form": form})

    def post(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        form = PhaseForm(request.POST)
        saved = submit(
            form,
            lambda: services.phase_update(
                actor=request.user, phase=phase, name=form.cleaned_data["name"]
            ),
        )
        if saved is None:
            return render(request, self.template_name, {"phase": phase, "form": form}, status=400)
        messages.success(request, _("Phase renommée."))
        return _to_editor(phase.journey, f"phase-{phase.public_id}")


class PhaseMoveView(OrganizationJourneyView):
    http_method_names = ["post"]

    def post(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        form = MoveForm(request.POST)
        if not form.is_valid():
            self.ensure_edit()
            messages.error(request, _("Sens de déplacement inconnu."))
            return _to_editor(phase.journey)
        services.phase_move(
            actor=request.user, phase=phase, direction=form.cleaned_data["direction"]
        )
        messages.success(request, _("Phase « %(name)s » déplacée.") % {"name": phase.name})
        return _to_editor(phase.journey, f"phase-{phase.public_id}")


class PhaseDeleteView(OrganizationJourneyView):
    def get(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        count = phase.steps.count()
        return render(
            request,
            "journeys/confirm_delete.html",
            {
                "journey": phase.journey,
                "can_edit": self.can_edit(),
                "what": _("la phase « %(name)s »") % {"name": phase.name},
                "explanation": _(
                    "La phase et ses %(count)s étape(s) seront supprimées définitivement."
                )
                % {"count": count},
            },
        )

    def post(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        services.phase_delete(actor=request.user, phase=phase)
        messages.success(request, _("Phase « %(name)s » supprimée.") % {"name": phase.name})
        return _to_editor(phase.journey)


# Steps ------------------------------------------------------------------------------------


class StepAddView(OrganizationJourneyView):
    template_name = "journeys/step_form.html"

    def get(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        self.ensure_edit()
        return render(request, self.template_name, {"phase": phase, "form": StepForm()})

    def post(self, request, journey_id, phase_id):
        phase = self.phase(journey_id, phase_id)
        form = StepForm(request.POST)
        step = submit(
            form,
            lambda: services.step_add(actor=request.user, phase=phase, fields=form.cleaned_data),
        )
        if step is None:
            return render(request, self.template_name, {"phase": phase, "form": form}, status=400)
        messages.success(request, _("Étape « %(name)s » ajoutée.") % {"name": step.name})
        return _to_editor(phase.journey, f"step-{step.public_id}")


class StepEditView(OrganizationJourneyView):
    template_name = "journeys/step_form.html"

    def get(self, request, journey_id, step_id):
        step = self.step(journey_id, step_id)
        self.ensure_edit()
        form = StepForm(initial=StepForm.initial_for(step))
        return render(
            request, self.template_name, {"phase": step.phase, "step": step, "form": form}
        )

    def post(self, request, journey_id, step_id):
        step = self.step(journey_id, step_id)
        form = StepForm(request.POST)
        saved = submit(
            form,
            lambda: services.step_update(actor=request.user, step=step, fields=form.cleaned_data),
        )
        if saved is None:
            step.refresh_from_db()
            return render(
                request,
                self.template_name,
                {"phase": step.phase, "step": step, "form": form},
                status=400,
            )
        messages.success(request, _("Étape « %(name)s » enregistrée.") % {"name": saved.name})
        return _to_editor(step.phase.journey, f"step-{step.public_id}")


class StepMoveView(OrganizationJourneyView):
    http_method_names = ["post"]

    def post(self, request, journey_id, step_id):
        step = self.step(journey_id, step_id)
        journey = step.phase.journey
        form = MoveForm(request.POST)
        if not form.is_valid():
            self.ensure_edit()
            messages.error(request, _("Sens de déplacement inconnu."))
            return _to_editor(journey)
        services.step_move(actor=request.user, step=step, direction=form.cleaned_data["direction"])
        messages.success(request, _("Étape « %(name)s » déplacée.") % {"name": step.name})
        return _to_editor(journey, f"step-{step.public_id}")


class StepDeleteView(OrganizationJourneyView):
    def get(self, request, journey_id, step_id):
        step = self.step(journey_id, step_id)
        return render(
            request,
            "journeys/confirm_delete.html",
            {
                "journey": step.phase.journey,
                "can_edit": self.can_edit(),
                "what": _("l'étape « %(name)s »") % {"name": step.name},
                "explanation": _("L'étape sera supprimée définitivement."),
            },
        )

    def post(self, request, journey_id, step_id):
        step = self.step(journey_id, step_id)
        journey = step.phase.journey
        services.step_delete(actor=request.user, step=step)
        messages.success(request, _("Étape « %(name)s » supprimée.") % {"name": step.name})
        return _to_editor(journey)
