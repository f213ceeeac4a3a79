"""One row per visitor per step per business day, insert-only: the table the storefront writes
when a visitor first reaches a step of the funnel that day."""

from django.db import models

from omnipoint.funnel.domain import Step


class FunnelEvent(models.Model):
    day = models.DateField()  # the business day (Asia/Shanghai)
    visitor = models.CharField(max_length=32)  # a random id kept in the visitor's session
    step = models.CharField(max_length=8, choices=Step.choices)
    # The shop's district the visitor browsed ("/" when none was chosen): what scope filters on.
    region_path = models.CharField(max_length=32, default="/")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "visitor", "step"], name="funnel_once_a_day"),
        ]
        indexes = [models.Index(fields=["day", "region_path"], name="funnel_day_region")]
