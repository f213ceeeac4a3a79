"""Long runs of settlement on the task queue (`manage.py run_huey`): a period's statements for
every party, and one statement's file; each reports its progress on its ``SettlementJob``,
which the console polls."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from huey.contrib.djhuey import db_task

from omnipoint.clearing.exports.csv_file import csv_lines
from omnipoint.clearing.exports.pdf_file import write_pdf
from omnipoint.clearing.exports.xlsx_file import write_xlsx
from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.settlement import exports, services
from omnipoint.settlement.models import JobState, SettlementJob

TASK = SystemActor(task="settlement.jobs")


def files_dir() -> Path:
    path = Path(settings.VAR_DIR) / "settlement"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _export(job: SettlementJob) -> str:
    """Write the statement's file, as its reader downloads it, under VAR_DIR; its name."""
    actor = actor_get(user=job.created_by)
    assert job.statement_id is not None
    report = exports.report_for(actor=actor, statement_id=job.statement_id, fmt=job.fmt)
    name = f"{job.pk}-{report.filename}.{job.fmt}"
    with (files_dir() / name).open("wb") as out:
        if job.fmt == "csv":
            for text in csv_lines(report):
                out.write(text.encode())
        else:
            (write_xlsx if job.fmt == "xlsx" else write_pdf)(report, out)
    return name


@db_task()
def job_run(job_id: int) -> str:
    """Run a queued job as the person who started it (their scope), in their language."""
    job = SettlementJob.objects.select_related("created_by").get(pk=job_id)
    user = get_user_model().objects.get(pk=job.created_by_id)
    with translation.override(job.lang or settings.LANGUAGE_CODE):
        try:
            if job.kind == "generate":
                services.job_progress(actor=TASK, job_id=job.pk, state=JobState.RUNNING)

                def progress(done: int, total: int) -> None:
                    services.job_progress(
                        actor=TASK, job_id=job.pk, state=JobState.RUNNING, done=done, total=total
                    )

                result = services.statements_generate(
                    actor=actor_get(user=user), period=job.period, progress=progress
                )
                n = len(result.outcomes)
                services.job_progress(actor=TASK, job_id=job.pk, state=JobState.DONE, done=n, total=n)
            else:
                name = _export(job)
                services.job_progress(
                    actor=TASK, job_id=job.pk, state=JobState.DONE, done=1, total=1, file=name
                )
        except DomainError as e:
            services.job_progress(actor=TASK, job_id=job.pk, state=JobState.FAILED, error=e.code)
            return e.code
    return JobState.DONE
