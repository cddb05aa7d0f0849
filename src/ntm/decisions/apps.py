from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "ntm.decisions"
    label = "decisions"
    verbose_name = "Quyết định của tỉnh về bộ tiêu chí"
