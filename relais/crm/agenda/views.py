"""Agenda screens: the calendar and its JSON feed, the customer side list, appointment pages,
the drag-and-drop endpoints and the iCalendar export."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.downloads import file_download
from relais.core.exceptions import NotFound, parse_public_id
from relais.core.web import WorkspaceRequiredMixin, submit
from relais.crm.agenda import holidays as hol
from relais.crm.agenda import recurrence as rec
from relais.crm.agenda import selectors, services
from relais.crm.agenda.forms import (
    MAX_YEAR,
    MIN_YEAR,
    AppointmentForm,
    CustomerSearchForm,
    DropForm,
    MoveForm,
    PeriodForm,
    parse_moment,
)
from relais.crm.agenda.ics import calendar_for
from relais.crm.models import AppointmentSource
from relais.crm.permissions import Permission
from relais.crm.selectors import customer_get

SESSION_ZONE = "agenda_zone"


def _zone(request) -> str:
    """The school-holiday zone: the query parameter (remembered in the session), else the
    session's, else the default."""
    if "zone" in request.GET:
        zone = request.GET["zone"]
        if zone in hol.ZONES or zone == "":
            request.session[SESSION_ZONE] = zone
            return zone
    return request.session.get(SESSION_ZONE, hol.DEFAULT_ZONE)


def _day(value) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _first_error(error: ValidationError) -> str:
    return " ".join(dict.fromkeys(error.messages))


def _form_error_response(form) -> JsonResponse:
    errors = [str(m) for messages_ in form.errors.values() for m in messages_]
    return JsonResponse({"error": " ".join(errors)}, status=400)


def _occurrence(request, appointment) -> rec.Occurrence | None:
    """The occurrence of a series named by ``?occurrence=`` (or the posted field), if any."""
    day = _day(request.GET.get("occurrence") or request.POST.get("occurrence"))
    return rec.occurrence_on(appointment, day) if appointment.recurrence and day else None


def _side_list(request, workspace, query: str) -> dict:
    """The customer side list's context, through the CRM's customer search."""
    customers = selectors.agenda_customers(user=request.user, workspace=workspace, query=query)
    return {
        "customers": customers[: selectors.SIDE_LIST_SIZE],
        "more_customers": len(customers) > selectors.SIDE_LIST_SIZE,
        "query": query,
    }


class AgendaView(WorkspaceRequiredMixin, View):
    def get(self, request):
        ensure_permission(request.user, Permission.CRM_VIEW, self.workspace)
        zone = _zone(request)
        search = CustomerSearchForm(request.GET or None)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        initial_day = _day(request.GET.get("date")) or timezone.localdate()
        view = request.GET.get("vue", "")
        config = {
            "eventsUrl": reverse("crm:agenda-events"),
            "createUrl": reverse("crm:appointment-create"),
            "dropUrl": reverse("crm:appointment-drop"),
            "zone": zone,
            "mine": request.GET.get("mine") == "1",
            "initialDate": initial_day.isoformat(),
            "initialView": view
            if view in ("dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek")
            else "timeGridWeek",
            "canEdit": request.user.has_role_permission(
                Permission.CRM_EDIT, workspace=request.workspace
            ),
        }
        return render(
            request,
            "crm/agenda/agenda.html",
            {
                "config": config,
                "zone": zone,
                "zone_choices": hol.ZONE_CHOICES,
                "search": search if search.is_bound else CustomerSearchForm(),
                **_side_list(request, self.workspace, query),
                "mine": config["mine"],
                "initial_day": initial_day,
                # Six weeks: the longest period the calendar's views show from that day.
                "school_notice": hol.school_holidays_notice(initial_day + datetime.timedelta(42))
                if zone
                else "",
            },
        )


class AgendaCustomersView(WorkspaceRequiredMixin, View):
    """The side list's search results (an HTMX fragment)."""

    def get(self, request):
        search = CustomerSearchForm(request.GET)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        if not request.headers.get("HX-Request"):
            return redirect(f"{reverse('crm:agenda')}?{urlencode({'q': query})}")
        return render(
            request, "crm/agenda/_customer_list.html", _side_list(request, self.workspace, query)
        )


class AgendaEventsView(WorkspaceRequiredMixin, View):
    """FullCalendar's event feed: ``?start=…&end=…`` (ISO 8601), ``zone``, ``mine``."""

    def get(self, request):
        form = PeriodForm(request.GET)
        if not form.is_valid():
            return _form_error_response(form)
        zone = form.cleaned_data["zone"] if "zone" in request.GET else _zone(request)
        events = selectors.agenda_events(
            user=request.user,
            workspace=self.workspace,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            zone=zone,
            mine_only=form.cleaned_data["mine"],
        )
        return JsonResponse(events, safe=False)


class AgendaIcsView(WorkspaceRequiredMixin, View):
    def get(self, request):
        appointments = selectors.appointments_for_export(
            user=request.user, workspace=self.workspace
        )
        name = _("Rendez-vous de %(user)s — %(workspace)s") % {
            "user": request.user.display_name,
            "workspace": self.workspace.name,
        }
        body = calendar_for(appointments, name=name, domain=request.get_host().split(":")[0])
        return file_download(
            body,
            filename="agenda-relais.ics",
            content_type="text/calendar; charset=utf-8",
        )


def _initial_from_query(request, workspace) -> dict:
    """Pre-fill the creation form from the slot clicked or the customer chosen."""
    initial: dict = {"recurrence_interval": 1}
    start = end = None
    try:
        if request.GET.get("start"):
            start = parse_moment(request.GET["start"])
        if request.GET.get("end"):
            end = parse_moment(request.GET["end"])
    except ValidationError:
        start = end = None
    all_day = request.GET.get("all_day") == "1"
    if start is None:
        now = timezone.localtime()
        start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    if end is None or end <= start:
        end = start + (datetime.timedelta(0) if all_day else services.DEFAULT_DURATION)
    elif all_day:
        end -= datetime.timedelta(days=1)  # FullCalendar's all-day end is exclusive
    initial.update(
        starts_at=timezone.localtime(start).replace(tzinfo=None),
        ends_at=timezone.localtime(end).replace(tzinfo=None),
        all_day=all_day,
    )
    if request.GET.get("customer"):
        try:
            customer = customer_get(
                user=request.user, workspace=workspace, public_id=request.GET["customer"]
            )
        except NotFound:  # an unknown customer just leaves the field empty
            customer = None
        if customer is not None:
            initial["customer"] = customer.public_id
            initial["title"] = services.customer_appointment_title(customer)
    return initial


def _form_customer(form):
    """The customer the form names (bound value or initial), for display."""
    field = form["customer"]
    value = field.value()
    if not value:
        return None
    return form.fields["customer"].queryset.filter(public_id=parse_public_id(value)).first()


class AppointmentCreateView(WorkspaceRequiredMixin, View):
    def _render(self, request, form):
        return render(
            request,
            "crm/agenda/appointment_form.html",
            {"form": form, "appointment": None, "customer": _form_customer(form)},
        )

    def get(self, request):
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        form = AppointmentForm(
            workspace=self.workspace, initial=_initial_from_query(request, self.workspace)
        )
        return self._render(request, form)

    def post(self, request):
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        form = AppointmentForm(request.POST, workspace=self.workspace)
        appointment = submit(form, lambda: self._create(request, form))
        if appointment:
            messages.success(request, _("Le rendez-vous est enregistré."))
            return redirect(_agenda_url(appointment))
        return self._render(request, form)

    def _create(self, request, form):
        data = form.appointment_data()
        customer = data.pop("customer")
        return services.appointment_create(
            actor=request.user,
            workspace=self.workspace,
            title=data.pop("title"),
            starts_at=data.pop("starts_at"),
            ends_at=data.pop("ends_at"),
            customer=customer,
            source=AppointmentSource.CUSTOMER if customer else AppointmentSource.MANUAL,
            **data,
        )


def _agenda_url(appointment) -> str:
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    return f"{reverse('crm:agenda')}?{urlencode({'date': day})}"


class AppointmentDropView(WorkspaceRequiredMixin, View):
    """A customer dropped on the calendar: a one-hour appointment with them (JSON)."""

    def post(self, request):
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        form = DropForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return _form_error_response(form)
        customer = form.cleaned_data["customer"]
        start = form.cleaned_data["start"]
        all_day = form.cleaned_data["all_day"]
        try:
            appointment = services.appointment_book_customer(
                actor=request.user,
                workspace=self.workspace,
                customer=customer,
                starts_at=start,
                all_day=all_day,
            )
        except ValidationError as error:
            return JsonResponse({"error": _first_error(error)}, status=400)
        return JsonResponse(
            {
                "id": str(appointment.public_id),
                "title": appointment.title,
                "url": reverse(
                    "crm:appointment-detail", kwargs={"appointment_id": appointment.public_id}
                ),
                "message": _("Rendez-vous créé avec %(customer)s le %(date)s.")
                % {
                    "customer": customer.display_name,
                    "date": timezone.localtime(appointment.starts_at).strftime(
                        "%d/%m/%Y à %H:%M" if not all_day else "%d/%m/%Y"
                    ),
                },
            },
            status=201,
        )


class AppointmentDetailView(WorkspaceRequiredMixin, View):
    def get(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        occurrence = _occurrence(request, appointment)
        return render(
            request,
            "crm/agenda/appointment_detail.html",
            {
                "appointment": appointment,
                "occurrence": occurrence,
                "upcoming": rec.upcoming(appointment, after=timezone.now(), limit=10)
                if appointment.recurrence
                else [],
                "exceptions": sorted(rec.exception_dates(appointment)),
                "last_day": rec.last_occurrence_date(appointment),
                "can_edit": request.user.has_role_permission(
                    Permission.CRM_EDIT, workspace=request.workspace
                ),
                "can_delete": services.can_delete(request.user, appointment),
            },
        )


def _form_initial(appointment) -> dict:
    return {
        "title": appointment.title,
        "customer": appointment.customer.public_id if appointment.customer else None,
        "all_day": appointment.all_day,
        "starts_at": timezone.localtime(appointment.starts_at).replace(tzinfo=None),
        "ends_at": timezone.localtime(appointment.ends_at).replace(tzinfo=None),
        "location": appointment.location,
        "notes": appointment.notes,
        "recurrence": appointment.recurrence,
        "recurrence_interval": appointment.recurrence_interval,
        "recurrence_until": appointment.recurrence_until,
        "recurrence_count": appointment.recurrence_count,
    }


class AppointmentUpdateView(WorkspaceRequiredMixin, View):
    """Edit an appointment; for one occurrence of a series (``?occurrence=``), the user
    chooses between "this occurrence" and "the whole series"."""

    def _render(self, request, form, appointment, occurrence):
        return render(
            request,
            "crm/agenda/appointment_form.html",
            {
                "form": form,
                "appointment": appointment,
                "occurrence": occurrence,
                "customer": _form_customer(form),
            },
        )

    def get(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        occurrence = _occurrence(request, appointment)
        initial = _form_initial(appointment)
        if occurrence is not None:
            initial.update(
                scope=services.OCCURRENCE,
                starts_at=timezone.localtime(occurrence.starts_at).replace(tzinfo=None),
                ends_at=timezone.localtime(occurrence.ends_at).replace(tzinfo=None),
            )
        form = AppointmentForm(
            workspace=self.workspace, initial=initial, with_scope=occurrence is not None
        )
        return self._render(request, form, appointment, occurrence)

    def post(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        occurrence = _occurrence(request, appointment)
        form = AppointmentForm(
            request.POST, workspace=self.workspace, with_scope=occurrence is not None
        )
        result = submit(form, lambda: self._update(request, form, appointment, occurrence))
        if result:
            messages.success(request, _("Le rendez-vous est modifié."))
            return redirect(_agenda_url(result))
        return self._render(request, form, appointment, occurrence)

    def _update(self, request, form, appointment, occurrence):
        data = form.appointment_data()
        scope = form.cleaned_data.get("scope") or services.SERIES
        return services.appointment_update(
            actor=request.user,
            appointment=appointment,
            data=data,
            scope=scope,
            occurrence_on=occurrence.date if occurrence else None,
        )


class AppointmentMoveView(WorkspaceRequiredMixin, View):
    """A drag or a resize in the calendar (JSON); the client reverts the event on error."""

    def post(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        form = MoveForm(request.POST)
        if not form.is_valid():
            return _form_error_response(form)
        data = form.cleaned_data
        start, end, all_day = data["start"], data["end"], data["all_day"]
        if end is None:
            end = start if all_day else start + services.DEFAULT_DURATION
        elif all_day:
            end -= datetime.timedelta(days=1)
        try:
            result = services.appointment_reschedule(
                actor=request.user,
                appointment=appointment,
                occurrence_on=data["occurrence"],
                starts_at=start,
                ends_at=end,
                all_day=all_day,
                scope=data["scope"] or services.SERIES,
            )
        except ValidationError as error:
            return JsonResponse({"error": _first_error(error)}, status=400)
        return JsonResponse(
            {
                "id": str(result.public_id),
                "message": _("« %(title)s » est déplacé au %(date)s.")
                % {
                    "title": result.title,
                    "date": timezone.localtime(start).strftime(
                        "%d/%m/%Y" if all_day else "%d/%m/%Y à %H:%M"
                    ),
                },
            }
        )


class AppointmentCancelOccurrenceView(WorkspaceRequiredMixin, View):
    def get(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        return render(
            request,
            "crm/agenda/appointment_cancel_occurrence.html",
            {
                "appointment": appointment,
                "occurrence": _occurrence(request, appointment),
                "can_edit": request.user.has_role_permission(
                    Permission.CRM_EDIT, workspace=request.workspace
                ),
            },
        )

    def post(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        day = _day(request.POST.get("occurrence"))
        try:
            services.appointment_cancel_occurrence(
                actor=request.user, appointment=appointment, occurrence_on=day
            )
        except ValidationError as error:
            messages.error(request, _first_error(error))
            return redirect("crm:appointment-detail", appointment_id=appointment.public_id)
        messages.success(
            request,
            _("L'occurrence du %(date)s est annulée ; le reste de la série est inchangé.")
            % {"date": day.strftime("%d/%m/%Y")},
        )
        return redirect("crm:appointment-detail", appointment_id=appointment.public_id)


class AppointmentDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        return render(
            request,
            "crm/agenda/appointment_confirm_delete.html",
            {
                "appointment": appointment,
                "can_delete": services.can_delete(request.user, appointment),
            },
        )

    def post(self, request, appointment_id):
        appointment = selectors.appointment_get(
            user=request.user, workspace=self.workspace, appointment_id=appointment_id
        )
        url = _agenda_url(appointment)
        services.appointment_delete(actor=request.user, appointment=appointment)
        messages.success(request, _("Le rendez-vous est supprimé."))
        return redirect(url)
