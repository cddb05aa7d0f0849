from django.apps import AppConfig


class ValuesConfig(AppConfig):
    name = "ntm.values"
    label = "values"
    verbose_name = "Giá trị chỉ tiêu"
