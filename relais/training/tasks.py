"""Background tasks of the training app, gathered here for Huey's autodiscovery (``tasks``)."""

from relais.training.class_tasks import class_reset_task
from relais.training.school_tasks import school_base_generate_task
from relais.training.snapshots.tasks import snapshot_export_task

__all__ = ["class_reset_task", "school_base_generate_task", "snapshot_export_task"]
