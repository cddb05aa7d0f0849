from django.urls import path, register_converter

from ntm.values.models import FIRST_YEAR, LAST_YEAR
from ntm.web import views_entry as views

app_name = "values"


class YearConverter:
    """A year of the programme, 4 digits from 2000 to 2100; any other is a 404 (a year such
    as 0 or 99999 reached the services, where no date can be made of it)."""

    regex = "[0-9]{4}"
    first = FIRST_YEAR
    last = LAST_YEAR

    def to_python(self, value: str) -> int:
        year = int(value)
        if not self.first <= year <= self.last:
            raise ValueError(value)  # the URL does not match: 404
        return year

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


register_converter(YearConverter, "year")

urlpatterns = [
    path("commune/<int:pk>/", views.choose, name="choose"),
    path("commune/<int:pk>/<str:set_id>/<year:year>/", views.entry, name="entry"),
    path(
        "commune/<int:pk>/<str:set_id>/<year:year>/cell/<str:measure>/<str:stage>/",
        views.save_cell,
        name="save_cell",
    ),
    path(
        "commune/<int:pk>/<str:set_id>/<year:year>/declare/<int:criterion>/",
        views.declare,
        name="declare",
    ),
    path(
        "commune/<int:pk>/<str:set_id>/<year:year>/decide/<int:criterion>/",
        views.decide,
        name="decide",
    ),
    path("commune/<int:pk>/<str:set_id>/<year:year>/workflow/", views.workflow, name="workflow"),
    path("commune/<int:pk>/<year:year>/value/<str:measure>/", views.value_detail, name="value"),
    path(
        "commune/<int:pk>/<year:year>/value/<str:measure>/evidence/",
        views.upload_evidence,
        name="upload_evidence",
    ),
    path(
        "commune/<int:pk>/<year:year>/value/<str:measure>/comments/",
        views.add_comment,
        name="add_comment",
    ),
    path(
        "commune/<int:pk>/<year:year>/value/<str:measure>/history/",
        views.history,
        name="history",
    ),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("import/", views.import_page, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/criteria-template/", views.level_template, name="level_template"),
]
