from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work: `haven worker`. An interface like web, api and bot: it only
    calls the domain services on a schedule."""

    name = "haven.jobs"
    label = "jobs"
