from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "ntm.recognition"
    label = "recognition"
    verbose_name = "Công nhận đạt chuẩn nông thôn mới"
