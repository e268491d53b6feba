"""A finished job's file as a download: the one streaming code of the site's download view (`reports.views.download`)
and the API's (`reports.api.views.JobFileView`), each after the same check, `selectors.downloadable_jobs`."""

import logging

from shaho.core.downloads import file_response

logger = logging.getLogger("reports.views")


def job_file_response(job):
    """The job's file, streamed as an attachment (not cached by anyone), or None when it cannot be opened (logged)."""
    try:
        handle = job.file.open("rb")
    except OSError as exc:
        logger.warning("report job %s: its file %s cannot be opened: %s", job.pk, job.file.name, exc)
        return None
    response = file_response(
        handle, filename=job.download_name, ascii_fallback=job.ascii_download_name, kind=job.format
    )
    response["Cache-Control"] = "private, no-store"
    return response
