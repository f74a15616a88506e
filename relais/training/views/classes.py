"""Class screens for trainers, and the sandbox reset shared by learners and trainers."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.web import submit
from relais.training.forms.classes import ClassForm, LearnerAddForm
from relais.training.permissions import Permission
from relais.training.selectors.classes import (
    class_get_for_manager,
    class_progress,
    classes_for_trainer,
    enrollment_get_for_reset,
    templates_for_class,
)
from relais.training.services.class_reset import class_reset_start
from relais.training.services.sandboxes import class_create, learner_enroll, sandbox_reset
from relais.training.views.home import optional_url


class ClassListView(LoginRequiredMixin, View):
    def get(self, request):
        classes = classes_for_trainer(user=request.user)
        return render(
            request,
            "training/classes/class_list.html",
            {"classes": classes, "school_list_url": optional_url("training:school-list")},
        )


class ClassCreateView(LoginRequiredMixin, View):
    def _form(self, request, data=None):
        return ClassForm(data, templates=templates_for_class(user=request.user))

    def get(self, request):
        form = self._form(request)
        return render(request, "training/classes/class_form.html", {"form": form})

    def post(self, request):
        form = self._form(request, request.POST)
        training_class = submit(
            form,
            lambda: class_create(
                actor=request.user,
                organization=form.cleaned_data["template"].organization,
                name=form.cleaned_data["name"],
                template=form.cleaned_data["template"],
            ),
        )
        if training_class:
            messages.success(
                request, _("La session « %(name)s » est créée.") % {"name": training_class.name}
            )
            return redirect("training:class-detail", class_id=training_class.public_id)
        return render(request, "training/classes/class_form.html", {"form": form}, status=400)


def _render_detail(request, training_class, *, form=None, status=200):
    return render(
        request,
        "training/classes/class_detail.html",
        {
            "training_class": training_class,
            "progress": class_progress(user=request.user, training_class=training_class),
            "form": form or LearnerAddForm(training_class=training_class),
            "results_url": optional_url(
                "training:class-results", class_id=training_class.public_id
            ),
        },
        status=status,
    )


class ClassDetailView(LoginRequiredMixin, View):
    def get(self, request, class_id):
        training_class = class_get_for_manager(user=request.user, public_id=class_id)
        return _render_detail(request, training_class)


class ClassLearnerAddView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, class_id):
        training_class = class_get_for_manager(user=request.user, public_id=class_id)
        form = LearnerAddForm(request.POST, training_class=training_class)
        outcome = submit(
            form,
            lambda: learner_enroll(
                actor=request.user,
                training_class=training_class,
                learner=form.cleaned_data["learner"],
                username=form.cleaned_data["username"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
            ),
        )
        if outcome is None:
            return _render_detail(request, training_class, form=form, status=400)
        enrollment, password = outcome
        if password is None:
            messages.success(
                request,
                _("%(name)s est inscrit ; son bac à sable est prêt.")
                % {"name": enrollment.learner.display_name},
            )
            return redirect("training:class-detail", class_id=training_class.public_id)
        # The initial password is shown once, on this response only: never stored in clear.
        return render(
            request,
            "training/classes/learner_created.html",
            {"training_class": training_class, "enrollment": enrollment, "password": password},
        )


class SandboxResetView(LoginRequiredMixin, View):
    """GET: the confirmation page; POST: the reset. The learner or the class's trainer."""

    def _context(self, request, enrollment):
        own = enrollment.learner_id == request.user.pk
        back = (
            optional_url("training:home")
            if own
            else optional_url("training:class-detail", class_id=enrollment.training_class.public_id)
        )
        return {"enrollment": enrollment, "own": own, "back_url": back}

    def get(self, request, sandbox_id):
        enrollment = enrollment_get_for_reset(user=request.user, sandbox_public_id=sandbox_id)
        return render(
            request,
            "training/classes/sandbox_reset.html",
            self._context(request, enrollment),
        )

    def post(self, request, sandbox_id):
        enrollment = enrollment_get_for_reset(user=request.user, sandbox_public_id=sandbox_id)
        enrollment = sandbox_reset(actor=request.user, enrollment=enrollment)
        messages.success(
            request,
            _("Le bac à sable « %(name)s » est réinitialisé : il est revenu à son état initial.")
            % {"name": enrollment.sandbox.name},
        )
        return redirect(self._context(request, enrollment)["back_url"])


class ClassResetView(LoginRequiredMixin, View):
    """GET: the confirmation page; POST: queue the reset of every sandbox of the class, then
    follow the job's progress. The class's trainer only (a learner gets 403)."""

    def _class(self, request, class_id):
        ensure_permission(request.user, Permission.TRAINING_MANAGE)
        return class_get_for_manager(user=request.user, public_id=class_id)

    def get(self, request, class_id):
        training_class = self._class(request, class_id)
        return render(
            request,
            "training/classes/class_reset.html",
            {
                "training_class": training_class,
                "enrollment_count": training_class.enrollments.count(),
            },
        )

    def post(self, request, class_id):
        training_class = self._class(request, class_id)
        job = class_reset_start(actor=request.user, training_class=training_class)
        messages.success(
            request,
            _("La réinitialisation des bacs à sable de « %(name)s » a commencé.")
            % {"name": training_class.name},
        )
        return redirect("jobs:job-detail", public_id=job.public_id)
