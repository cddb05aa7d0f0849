from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ntm.audit"
    label = "audit"
