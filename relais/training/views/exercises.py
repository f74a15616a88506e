"""Exercise pages: the learner's list and work page, trainers' editor and class results."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.downloads import csv_download, xlsx_download
from relais.core.exceptions import NotFound
from relais.core.web import add_service_errors
from relais.training import grading
from relais.training.forms.exercises import (
    CheckForm,
    CheckFormSet,
    ExerciseForm,
    checks_from_formset,
)
from relais.training.middleware import launched_lms_origin
from relais.training.permissions import Permission
from relais.training.selectors import exercises as selectors
from relais.training.selectors.classes import classes_for_trainer
from relais.training.services import exercises as services


def _is_trainer(user) -> bool:
    return user.has_role_permission(Permission.TRAINING_MANAGE)


class ExerciseListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        exercises = list(selectors.exercises_visible(user=user))
        if _is_trainer(user):
            classes = classes_for_trainer(user=user)
            return render(
                request,
                "training/exercises/list_trainer.html",
                {"exercises": exercises, "classes": classes},
            )
        ensure_permission(user, Permission.TRAINING_PRACTISE)
        enrollment = selectors.enrollment_current(
            user=user, workspace=getattr(request, "workspace", None)
        )
        results = selectors.results_of(enrollment=enrollment) if enrollment else {}
        rows = [(e, results.get(e.pk)) for e in exercises]
        return render(
            request,
            "training/exercises/list_learner.html",
            {
                "enrollment": enrollment,
                "rows": rows,
                "total": sum(r.best_score for _e, r in rows if r),
                "total_max": sum(r.max_score for _e, r in rows if r and r.attempts),
                "passed": sum(1 for _e, r in rows if r and r.passed),
            },
        )


class _LearnerExerciseMixin(LoginRequiredMixin):
    def enrollment_and_exercise(self, request, exercise_id):
        enrollment = selectors.enrollment_current(
            user=request.user, workspace=getattr(request, "workspace", None)
        )
        exercise = selectors.exercise_get(user=request.user, public_id=exercise_id)
        if enrollment is None:
            raise NotFound(_("Vous n'êtes inscrit à aucune session de formation."))
        return enrollment, exercise

    def render_detail(self, request, enrollment, exercise, result, *, checked=False):
        since = services.exercise_started_at(enrollment=enrollment, result=result)
        needs_answer = any(c.get("type") == "answer" for c in exercise.checks)
        return render(
            request,
            "training/exercises/detail.html",
            {
                "exercise": exercise,
                "enrollment": enrollment,
                "result": result,
                "checked": checked,
                "needs_answer": needs_answer,
                "instructions": grading.render_instructions(
                    exercise.instructions, target=result.target, since=since
                ),
                "missing_target": bool(exercise.target_kind and not result.target),
                # The LMS that launched this window (SCORM), the only target of the score.
                "lms_origin": launched_lms_origin(request),
            },
        )


class ExerciseDetailView(_LearnerExerciseMixin, View):
    def get(self, request, exercise_id):
        if _is_trainer(request.user):
            exercise = selectors.exercise_get(user=request.user, public_id=exercise_id)
            return render(
                request,
                "training/exercises/preview.html",
                {
                    "exercise": exercise,
                    "editable": exercise.organization_id == request.user.organization_id,
                    "target_label": grading.target_kinds().get(exercise.target_kind, ""),
                    "check_rows": [(check, grading.describe(check)) for check in exercise.checks],
                },
            )
        enrollment, exercise = self.enrollment_and_exercise(request, exercise_id)
        result = services.exercise_preview(
            actor=request.user, enrollment=enrollment, exercise=exercise
        )
        return self.render_detail(request, enrollment, exercise, result)


class ExerciseStartView(_LearnerExerciseMixin, View):
    """Start an exercise: from now on, the learner's work in the CRM counts for it."""

    def post(self, request, exercise_id):
        enrollment, exercise = self.enrollment_and_exercise(request, exercise_id)
        services.exercise_open(actor=request.user, enrollment=enrollment, exercise=exercise)
        return redirect("training:exercise-detail", exercise_id=exercise.public_id)


class ExerciseCheckView(_LearnerExerciseMixin, View):
    def post(self, request, exercise_id):
        enrollment, exercise = self.enrollment_and_exercise(request, exercise_id)
        result = services.exercise_check(
            actor=request.user,
            enrollment=enrollment,
            exercise=exercise,
            answer=request.POST.get("answer", ""),
        )
        return self.render_detail(request, enrollment, exercise, result, checked=True)


class _ExerciseEditorMixin(LoginRequiredMixin):
    template_name = "training/exercises/form.html"

    def render_form(self, request, form, formset, exercise=None):
        return render(
            request,
            self.template_name,
            {"form": form, "formset": formset, "exercise": exercise},
        )

    def save(self, request, exercise=None):
        form = ExerciseForm(request.POST)
        formset = CheckFormSet(request.POST, prefix="checks")
        if form.is_valid() and formset.is_valid():
            checks = checks_from_formset(formset)
            try:
                if exercise is None:
                    exercise = services.exercise_create(
                        actor=request.user,
                        data={**form.cleaned_data, "code": _slug(form.cleaned_data["title"])},
                        checks=checks,
                    )
                else:
                    services.exercise_update(
                        actor=request.user, exercise=exercise, data=form.cleaned_data, checks=checks
                    )
                return redirect("training:exercise-detail", exercise_id=exercise.public_id)
            except ValidationError as error:
                add_service_errors(form, error)
        return self.render_form(request, form, formset, exercise)


def _slug(title: str) -> str:
    from django.utils.text import slugify

    return slugify(title)[:70] or "exercice"


class ExerciseCreateView(_ExerciseEditorMixin, View):
    def get(self, request):
        ensure_permission(request.user, Permission.TRAINING_MANAGE)
        return self.render_form(request, ExerciseForm(), CheckFormSet(prefix="checks"))

    def post(self, request):
        ensure_permission(request.user, Permission.TRAINING_MANAGE)
        return self.save(request)


class ExerciseEditView(_ExerciseEditorMixin, View):
    def get(self, request, exercise_id):
        exercise = selectors.exercise_get_editable(user=request.user, public_id=exercise_id)
        form = ExerciseForm(
            initial={
                "title": exercise.title,
                "category": exercise.category,
                "target_kind": exercise.target_kind,
                "instructions": exercise.instructions,
            }
        )
        formset = CheckFormSet(
            prefix="checks", initial=[CheckForm.initial_from(c) for c in exercise.checks]
        )
        return self.render_form(request, form, formset, exercise)

    def post(self, request, exercise_id):
        exercise = selectors.exercise_get_editable(user=request.user, public_id=exercise_id)
        return self.save(request, exercise)


class ClassResultsView(LoginRequiredMixin, View):
    def get(self, request, class_id):
        training_class, exercises, rows = selectors.class_results(
            user=request.user, class_id=class_id
        )
        return render(
            request,
            "training/exercises/class_results.html",
            {"training_class": training_class, "exercises": exercises, "rows": rows},
        )


def results_table(exercises, rows) -> list[list]:
    """The class results as rows of cells, the header first (shared by CSV and xlsx)."""
    header = [_("Apprenant"), _("Identifiant")]
    for exercise in exercises:
        header.append(exercise.title)
    header += [_("Total"), _("Exercices réussis")]
    table = [header]
    for row in rows:
        learner = row["enrollment"].learner
        line = [learner.get_full_name() or learner.username, learner.username]
        for cell in row["cells"]:
            line.append(f"{cell.best_score}/{cell.max_score}" if cell and cell.attempts else "")
        line += [row["total"], row["passed"]]
        table.append(line)
    return table


class ClassResultsExportView(LoginRequiredMixin, View):
    def get(self, request, class_id):
        training_class, exercises, rows = selectors.class_results(
            user=request.user, class_id=class_id
        )
        table = results_table(exercises, rows)
        stamp = timezone.localdate().isoformat()
        if request.GET.get("format") == "csv":
            return csv_download(table, f"resultats-{stamp}.csv")
        return xlsx_download(table, f"resultats-{stamp}.xlsx", _("Résultats"))
