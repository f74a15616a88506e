import uuid

from relais.core.jobs.models import Job


def job_get_for_user(*, user, public_id) -> Job | None:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Job.objects.filter(owner=user, public_id=public_id).first()
