"""A finished job's file as a download: the one code of the site's download view (`reports.views.download`) and
the API's (`reports.api.views.JobFileView`), each after the same check, `selectors.downloadable_jobs`."""

import logging

from shaho.core.downloads import stored_file_response

logger = logging.getLogger("reports.views")


def job_file_response(job):
    """The job's file, streamed from its storage (the disk or the bucket) as an attachment cached by no one, or a
    redirect to a short-lived signed URL (SHAHO_DOWNLOAD_REDIRECT=1); None when it cannot be opened (logged).
    Call it only after the permission check."""
    try:
        response = stored_file_response(
            job.file, filename=job.download_name, ascii_fallback=job.ascii_download_name, kind=job.format
        )
    except OSError as exc:
        logger.warning("report job %s: its file %s cannot be opened: %s", job.pk, job.file.name, exc)
        return None
    response["Cache-Control"] = "private, no-store"
    return response
