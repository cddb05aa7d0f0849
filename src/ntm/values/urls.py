from django.urls import path

from ntm.values import views

app_name = "values"

urlpatterns = [
    path("commune/<int:pk>/", views.choose, name="choose"),
    path("commune/<int:pk>/<str:set_id>/<int:year>/", views.entry, name="entry"),
    path(
        "commune/<int:pk>/<str:set_id>/<int:year>/cell/<str:measure>/<str:stage>/",
        views.save_cell,
        name="save_cell",
    ),
    path(
        "commune/<int:pk>/<str:set_id>/<int:year>/declare/<int:criterion>/",
        views.declare,
        name="declare",
    ),
    path("commune/<int:pk>/<str:set_id>/<int:year>/workflow/", views.workflow, name="workflow"),
    path("commune/<int:pk>/<int:year>/value/<str:measure>/", views.value_detail, name="value"),
    path(
        "commune/<int:pk>/<int:year>/value/<str:measure>/evidence/",
        views.upload_evidence,
        name="upload_evidence",
    ),
    path(
        "commune/<int:pk>/<int:year>/value/<str:measure>/comments/",
        views.add_comment,
        name="add_comment",
    ),
    path(
        "commune/<int:pk>/<int:year>/value/<str:measure>/history/",
        views.history,
        name="history",
    ),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("import/", views.import_page, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
]
