from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo province and `ntm run`, which builds and serves it. Nothing imports it."""

    name = "ntm.demo"
    label = "ntm_demo"
