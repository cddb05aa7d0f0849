from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ntm.reports"
    label = "reports"
