from relais.training.models.classes import Enrollment, TrainingClass
from relais.training.models.exercises import Exercise, ExerciseResult
from relais.training.models.school import Anomaly, AnomalyKind, SchoolBase

__all__ = [
    "Anomaly",
    "AnomalyKind",
    "Enrollment",
    "Exercise",
    "ExerciseResult",
    "SchoolBase",
    "TrainingClass",
]
