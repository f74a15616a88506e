"""School-database screens for trainers: list, creation (background job), detail, anomalies."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.downloads import csv_download
from relais.core.web import paginate, submit
from relais.training.forms.school import SchoolBaseForm
from relais.training.permissions import Permission
from relais.training.selectors.school import (
    school_base_anomalies,
    school_base_get,
    school_base_summary,
    school_bases_for_user,
)
from relais.training.services.school import school_base_generate_start


class SchoolListView(LoginRequiredMixin, View):
    def get(self, request):
        bases = school_bases_for_user(user=request.user)
        return render(request, "training/school/school_list.html", {"bases": bases})


class SchoolCreateView(LoginRequiredMixin, View):
    def get(self, request):
        ensure_permission(request.user, Permission.TRAINING_MANAGE)
        return render(request, "training/school/school_form.html", {"form": SchoolBaseForm()})

    def post(self, request):
        ensure_permission(request.user, Permission.TRAINING_MANAGE)
        form = SchoolBaseForm(request.POST)
        job = submit(
            form,
            lambda: school_base_generate_start(
                actor=request.user,
                name=form.cleaned_data["name"],
                customers=form.cleaned_data["customers"],
                seed=form.cleaned_data["seed"],
            ),
        )
        if job:
            return redirect("jobs:job-detail", public_id=job.public_id)
        return render(request, "training/school/school_form.html", {"form": form}, status=400)


class SchoolDetailView(LoginRequiredMixin, View):
    def get(self, request, school_id):
        school_base = school_base_get(user=request.user, school_id=school_id)
        summary = school_base_summary(user=request.user, school_base=school_base)
        return render(
            request,
            "training/school/school_detail.html",
            {"school_base": school_base, "summary": summary},
        )


def _records(anomaly) -> str:
    return " ; ".join(record.get("label", "") for record in anomaly.records)


class SchoolAnomaliesView(LoginRequiredMixin, View):
    def get(self, request, school_id):
        school_base = school_base_get(user=request.user, school_id=school_id)
        anomalies = school_base_anomalies(user=request.user, school_base=school_base)
        if request.GET.get("format") == "csv":
            return self._csv(school_base, anomalies)
        return render(
            request,
            "training/school/school_anomalies.html",
            {"school_base": school_base, "page": paginate(request, anomalies, per_page=50)},
        )

    def _csv(self, school_base, anomalies) -> HttpResponse:
        header = [
            "Type",
            "Fiches concernées",
            "Clés d'identité",
            "Description",
            "Correction attendue",
        ]
        rows = [
            [
                str(anomaly.get_kind_display()),
                _records(anomaly),
                " ; ".join(record.get("identity_key", "") for record in anomaly.records),
                anomaly.description,
                anomaly.expected_correction,
            ]
            for anomaly in anomalies
        ]
        return csv_download([header, *rows], f"anomalies-base-ecole-{school_base.pk}.csv")
