from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from chwlink.lib.models import PeriodicRun


class Command(BaseCommand):
    help = "Show the periodic tasks Celery beat runs, and when each last ran."

    def handle(self, *args, **options):
        runs = {run.task: run for run in PeriodicRun.objects.all()}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            task = entry["task"]
            run = runs.get(task.rsplit(".", 1)[-1])
            if run is None:
                last = "never ran"
            else:
                started = timezone.localtime(run.started_at)
                last = f"last started {started:%Y-%m-%d %H:%M %Z}"
                if run.finished_at:
                    last += f", {run.outcome or 'finished'}"
                else:
                    last += ", still running or interrupted"
            self.stdout.write(f"{name:<20} {task:<45} every {entry['schedule']}")
            self.stdout.write(f"{'':<20} {last}")
