"""Observed journeys' screens: the kept event logs (upload, column mapping, import progress,
rename, bin), the observed pages of a ready log, the yearly volumes and surveys, and the
low-data sample (quick recording form, extrapolation, sample as a log). Thin: parse, call a
selector or a service, render. The organization is the current workspace's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from relais.core.web import submit
from relais.journeys import selectors_logs as selectors
from relais.journeys import services_logs, services_samples
from relais.journeys.access import ensure_journey_permission, has_journey_permission
from relais.journeys.failure_sample import extrapolate
from relais.journeys.forms_logs import (
    ExtractForm,
    ExtrapolationForm,
    FiltersForm,
    LogRenameForm,
    LogUploadForm,
    MappingForm,
    SampleContactForm,
    SampleLogForm,
    SmallCsvForm,
)
from relais.journeys.models import Channel, EventLogStatus
from relais.journeys.observed import Filters, observed_cached, observed_summary
from relais.journeys.permissions import Permission
from relais.journeys.views import OrganizationJourneyView

SAMPLE_RECENT = 15


def _to_log(log):
    return redirect("journeys:log-detail", log_id=log.public_id)


class _LogView(OrganizationJourneyView):
    def log(self, log_id, **kwargs):
        return selectors.log_get(
            user=self.request.user, organization=self.organization, public_id=log_id, **kwargs
        )

    def can_sample(self) -> bool:
        return has_journey_permission(
            self.request.user, Permission.JOURNEYS_SAMPLE, self.organization
        )


# Logs -----------------------------------------------------------------------------------------


class LogListView(_LogView):
    def get(self, request):
        logs = selectors.log_list(user=request.user, organization=self.organization)
        can_edit = self.can_edit()
        deleted = (
            list(
                selectors.log_list(user=request.user, organization=self.organization, deleted=True)
            )
            if can_edit
            else []
        )
        for log in deleted:  # the bin says when each log goes for good
            log.purge_at = services_logs.log_purge_date(log)
        return render(
            request,
            "journeys/logs/list.html",
            {
                "logs": logs,
                "deleted": deleted,
                "can_edit": can_edit,
                "can_sample": self.can_sample(),
                "extract_form": ExtractForm(),
            },
        )


class _SizeLimitHandler(FileUploadHandler):
    """Stops storing the file of a request whose announced size exceeds the log limit (the
    rest of the body is read and dropped, never kept); the service checks the real size of
    what was stored anyway."""

    too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > services_logs.max_upload_bytes() + 1024 * 1024
        self.request.too_large = self.too_large

    def receive_data_chunk(self, raw_data, start):
        if self.too_large:
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


@method_decorator(csrf_exempt, name="dispatch")
class LogUploadView(_LogView):
    """The upload's size is checked before Django reads the body: the CSRF check (which reads
    it) runs after the limit handler is in place."""

    template_name = "journeys/logs/upload.html"

    def dispatch(self, request, *args, **kwargs):
        request.upload_handlers.insert(0, _SizeLimitHandler(request))
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        limit = filesizeformat(services_logs.max_upload_bytes())
        return render(request, self.template_name, {"form": form, "limit": limit}, status=status)

    def get(self, request):
        self.ensure_edit()
        return self._render(request, LogUploadForm())

    def post(self, request):
        self.ensure_edit()
        form = LogUploadForm(request.POST, request.FILES)
        if getattr(request, "too_large", False):
            form.is_valid()
            form.add_error("file", services_logs.too_large_message())
            return self._render(request, form, status=400)
        log = submit(
            form,
            lambda: services_logs.log_upload(
                actor=request.user,
                organization=self.organization,
                name=form.cleaned_data["name"],
                upload=form.cleaned_data["file"],
            ),
        )
        if log is None:
            return self._render(request, form, status=400)
        return redirect("journeys:log-mapping", log_id=log.public_id)


class LogMappingView(_LogView):
    template_name = "journeys/logs/mapping.html"

    def _context(self, log, form, preview):
        return {"log": log, "form": form, "preview": preview}

    def get(self, request, log_id):
        self.ensure_edit()
        log = self.log(log_id)
        if log.status != EventLogStatus.PENDING:
            return _to_log(log)
        preview = selectors.log_upload_preview(log)
        form = MappingForm(columns=preview.columns)
        return render(request, self.template_name, self._context(log, form, preview))

    def post(self, request, log_id):
        self.ensure_edit()
        log = self.log(log_id)
        if log.status != EventLogStatus.PENDING:
            return _to_log(log)
        preview = selectors.log_upload_preview(log)
        form = MappingForm(request.POST, columns=preview.columns)
        started = submit(
            form,
            lambda: services_logs.log_import_start(
                actor=request.user,
                workspace=self.workspace,
                log=log,
                mapping=form.mapping(),
                columns=preview.columns,
                separator=preview.separator,
            ),
        )
        if started is None:
            return render(
                request, self.template_name, self._context(log, form, preview), status=400
            )
        return _to_log(started)


def _filters(request, summary_hint: dict) -> tuple[FiltersForm, Filters]:
    return _filters_from(request.GET, summary_hint)


def _filters_from(query, summary_hint: dict) -> tuple[FiltersForm, Filters]:
    form = FiltersForm(
        query or None,
        channels=summary_hint.get("channels", []),
        segments=summary_hint.get("segments", {}),
    )
    if not query or not form.is_valid():
        return form, Filters()
    data = form.cleaned_data
    segment, _sep, value = (data.get("segment") or "").partition("=")
    return form, Filters(
        since=data.get("since"),
        until=data.get("until"),
        channel=data.get("channel") or "",
        segment=segment,
        segment_value=value,
    )


class LogDetailView(_LogView):
    """A log's page: the import's progress while it runs (polled), its error when it failed,
    and the observed views once ready."""

    def get(self, request, log_id):
        log = self.log(log_id)
        polling = request.headers.get("HX-Request") == "true"
        if log.status in (EventLogStatus.PENDING, EventLogStatus.IMPORTING, EventLogStatus.FAILED):
            if polling and log.status != EventLogStatus.IMPORTING:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            template = "journeys/logs/_status.html" if polling else "journeys/logs/status.html"
            return render(request, template, {"log": log, "can_edit": self.can_edit()})
        # A view not computed yet: in the request on a small log, else by a background job
        # while the page shows its progress (polled) — nobody waits seconds on a request.
        background = services_logs.observed_in_background(log)
        whole = observed_cached(log)
        if whole is None and not background:
            whole = observed_summary(log)
        if whole is None:
            return self._computing(request, log, Filters(), polling)
        form, filters = _filters(request, whole)
        summary = whole
        if filters.active:
            summary = observed_cached(log, filters)
            if summary is None and not background:
                summary = observed_summary(log, filters)
            if summary is None:
                return self._computing(request, log, filters, polling)
        if polling:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request,
            "journeys/logs/observed.html",
            {
                "log": log,
                "summary": summary,
                "filters_form": form,
                "filtered": filters.active,
                "channel_labels": dict(Channel.choices),
                "can_edit": self.can_edit(),
            },
        )

    def _computing(self, request, log, filters, polling):
        """The progress of the job computing this view (started by a POST of the page,
        as a GET writes nothing)."""
        context = {
            "log": log,
            "job": services_logs.observed_view_job(log, filters),
            "query": request.GET.urlencode(),
            "filtered": filters.active,
        }
        template = "journeys/logs/_computing.html" if polling else "journeys/logs/computing.html"
        return render(request, template, context)


class LogComputeView(_LogView):
    """Start the job computing a view of a large log (the computing page posts here by
    itself, or its button does without JavaScript)."""

    http_method_names = ["post"]

    def post(self, request, log_id):
        log = self.log(log_id)
        query = QueryDict(request.POST.get("query", ""))
        whole = observed_cached(log) or {}
        _form, filters = _filters_from(query, whole)
        htmx = request.headers.get("HX-Request") == "true"
        url = reverse("journeys:log-detail", kwargs={"log_id": log.public_id})
        url = f"{url}?{query.urlencode()}" if query else url
        if observed_cached(log, filters) is not None:  # computed meanwhile: nothing to start
            if htmx:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return redirect(url)
        try:
            job = services_logs.observed_view_start(
                actor=request.user, workspace=self.workspace, log=log, filters=filters
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _to_log(log)
        if htmx:
            return render(
                request,
                "journeys/logs/_computing.html",
                {"log": log, "job": job, "query": query.urlencode(), "filtered": filters.active},
            )
        return redirect(url)


class LogRenameView(_LogView):
    template_name = "journeys/logs/rename.html"

    def get(self, request, log_id):
        self.ensure_edit()
        log = self.log(log_id)
        form = LogRenameForm(initial={"name": log.name, "description": log.description})
        return render(request, self.template_name, {"log": log, "form": form})

    def post(self, request, log_id):
        self.ensure_edit()
        log = self.log(log_id)
        form = LogRenameForm(request.POST)
        renamed = submit(
            form,
            lambda: services_logs.log_rename(actor=request.user, log=log, **form.cleaned_data),
        )
        if renamed is None:
            return render(request, self.template_name, {"log": log, "form": form}, status=400)
        messages.success(request, _("Journal renommé « %(name)s ».") % {"name": renamed.name})
        return _to_log(renamed)


class LogDeleteView(_LogView):
    http_method_names = ["post"]

    def post(self, request, log_id):
        self.ensure_edit()
        log = self.log(log_id)
        services_logs.log_delete(actor=request.user, log=log)
        messages.success(
            request,
            _("Journal « %(name)s » mis à la corbeille. Vous pouvez le restaurer ci-dessous.")
            % {"name": log.name},
        )
        return redirect("journeys:log-list")


class LogRestoreView(_LogView):
    http_method_names = ["post"]

    def post(self, request, log_id):
        self.ensure_edit()
        log = self.log(log_id, deleted=True)
        services_logs.log_restore(actor=request.user, log=log)
        messages.success(request, _("Journal « %(name)s » restauré.") % {"name": log.name})
        return _to_log(log)


class LogExtractView(_LogView):
    http_method_names = ["post"]

    def post(self, request):
        self.ensure_edit()
        form = ExtractForm(request.POST)
        log = submit(
            form,
            lambda: services_logs.log_from_interactions(
                actor=request.user, workspace=self.workspace, name=form.cleaned_data["name"]
            ),
        )
        if log is None:
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return redirect("journeys:log-list")
        return _to_log(log)


# Volumes and surveys --------------------------------------------------------------------------


class VolumesView(_LogView):
    template_name = "journeys/logs/volumes.html"

    def _render(self, request, volumes_form, surveys_form, status=200):
        organization = self.organization
        return render(
            request,
            self.template_name,
            {
                "volumes": selectors.volumes_list(user=request.user, organization=organization),
                "surveys": selectors.surveys_list(user=request.user, organization=organization),
                "volumes_form": volumes_form,
                "surveys_form": surveys_form,
                "can_edit": self.can_edit(),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, SmallCsvForm(prefix="volumes"), SmallCsvForm(prefix="surveys"))

    def post(self, request):
        self.ensure_edit()
        kind = "surveys" if request.POST.get("kind") == "surveys" else "volumes"
        forms = {
            name: SmallCsvForm(
                request.POST if name == kind else None,
                request.FILES if name == kind else None,
                prefix=name,
            )
            for name in ("volumes", "surveys")
        }
        form = forms[kind]
        service = (
            services_samples.surveys_import
            if kind == "surveys"
            else services_samples.volumes_import
        )
        count = submit(
            form,
            lambda: service(
                actor=request.user,
                organization=self.organization,
                data=form.cleaned_data["file"].read(services_samples.SMALL_CSV_MAX_BYTES + 1),
            ),
        )
        if count is None:
            return self._render(request, forms["volumes"], forms["surveys"], status=400)
        messages.success(request, _("%(n)s lignes importées.") % {"n": count})
        return redirect("journeys:volumes")


# The recorded sample ------------------------------------------------------------------------------


class SampleView(_LogView):
    """The quick recording form (keyboard first: the reason has the focus, Enter in a field
    submits, the page comes back ready for the next contact) and the latest contacts."""

    template_name = "journeys/logs/sample.html"

    def _render(self, request, form, status=200):
        contacts = selectors.sample_list(user=request.user, organization=self.organization)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "recent": contacts.order_by("-contacted_at", "-id")[:SAMPLE_RECENT],
                "total": contacts.count(),
                "can_sample": self.can_sample(),
                "can_edit": self.can_edit(),
            },
            status=status,
        )

    def get(self, request):
        selectors.sample_list(user=request.user, organization=self.organization)
        last = request.session.get("journeys_sample_last", {})
        return self._render(request, SampleContactForm(initial=last))

    def post(self, request):
        ensure_journey_permission(request.user, Permission.JOURNEYS_SAMPLE, self.organization)
        form = SampleContactForm(request.POST)
        contact = submit(
            form,
            lambda: services_samples.sample_record(
                actor=request.user, organization=self.organization, **form.cleaned_data
            ),
        )
        if contact is None:
            return self._render(request, form, status=400)
        # The next contact is often on the same channel and procedure: keep them.
        request.session["journeys_sample_last"] = {
            "channel": contact.channel,
            "procedure": contact.procedure,
        }
        messages.success(request, _("Contact relevé. Au suivant !"))
        return redirect("journeys:sample")


class SampleDeleteView(_LogView):
    http_method_names = ["post"]

    def post(self, request, sample_id):
        contact = selectors.sample_get(
            user=request.user, organization=self.organization, public_id=sample_id
        )
        services_samples.sample_delete(actor=request.user, contact=contact)
        messages.success(request, _("Contact retiré de l'échantillon."))
        return redirect("journeys:sample")


class SampleExtrapolationView(_LogView):
    template_name = "journeys/logs/extrapolation.html"

    def get(self, request):
        contacts = list(selectors.sample_list(user=request.user, organization=self.organization))
        year, volumes = selectors.yearly_volumes(user=request.user, organization=self.organization)
        form = ExtrapolationForm(request.GET or None)
        weeks = None
        if form.is_bound and form.is_valid():
            weeks = form.cleaned_data.get("weeks")
        if contacts and not weeks:
            days = (contacts[0].contacted_at - contacts[-1].contacted_at).days + 1
            weeks = max(1.0, round(days / 7, 1))
        result = None
        if contacts:
            labels = dict(Channel.choices)
            result = extrapolate(
                services_samples.sample_frame(contacts),
                weeks=weeks,
                yearly_volumes={str(labels[c]): v for c, v in volumes.items()},
            )
            if not form.is_bound:
                form = ExtrapolationForm(initial={"weeks": weeks})
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "result": result,
                "weeks": weeks,
                "year": year,
                "volumes": volumes,
                "n_contacts": len(contacts),
                "log_form": SampleLogForm(),
                "can_edit": self.can_edit(),
            },
        )


class SampleToLogView(_LogView):
    http_method_names = ["post"]

    def post(self, request):
        self.ensure_edit()
        form = SampleLogForm(request.POST)
        contacts = selectors.sample_list(user=request.user, organization=self.organization)
        log = submit(
            form,
            lambda: services_samples.log_from_sample(
                actor=request.user,
                organization=self.organization,
                name=form.cleaned_data["name"],
                contacts=contacts.order_by("contacted_at", "id"),
            ),
        )
        if log is None:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("journeys:sample-extrapolation")
        messages.success(request, _("Journal « %(name)s » créé.") % {"name": log.name})
        return _to_log(log)
