"""Background building of a deliverable's PDF (segmentation, journey maps) for a large log:
the PDF becomes the job's result file, downloaded from the job's page."""

from huey.contrib.djhuey import db_task

from relais.core.jobs.services import job_attach_file, job_run
from relais.journeys.services_recommendations import deliverable_pdf, recommendation_set_rank_run


@db_task()
def deliverable_pdf_task(job_id: int, log_pk: int, deliverable: str) -> None:
    def body(job, progress) -> str:
        # A log of the job's own organization only: a stale or forged id finds nothing.
        filename, content = deliverable_pdf(
            organization=job.workspace.organization, log_pk=log_pk, deliverable=deliverable
        )
        job_attach_file(job, filename=filename, content=content, content_type="application/pdf")
        return "PDF prêt : téléchargez-le ci-dessous."

    job_run(job_id, body)


@db_task()
def recommendation_ranking_task(job_id: int, set_id: int) -> None:
    """Rank the recommendations of set ``set_id`` (see ``recommendation_set_rank_run``)."""
    job_run(
        job_id,
        lambda job, progress: recommendation_set_rank_run(
            set_id=set_id, job=job, progress=progress
        ),
    )
