from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "ntm.recognition"
    label = "recognition"
    verbose_name = "Công nhận đạt chuẩn nông thôn mới"

    def ready(self) -> None:
        # A change of units recorded through the units services ends the recognitions of the
        # units it replaced, in the same transaction.
        from ntm.recognition.services import end_with_event
        from ntm.units.signals import unit_event_recorded

        unit_event_recorded.connect(end_with_event, dispatch_uid="recognition.end_with_event")
