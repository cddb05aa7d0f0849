from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "ntm.cli"
    label = "ntm_cli"
