from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operator's commands: set up, serve, run tasks, back up and restore, load and export."""

    name = "jpoa.ops"
    verbose_name = "Operations"
