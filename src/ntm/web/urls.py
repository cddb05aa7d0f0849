from django.contrib.auth import views as auth_views
from django.urls import path

from ntm.web import (
    views,
    views_counts,
    views_dashboards,
    views_decisions,
    views_districts,
    views_find,
    views_groups,
    views_recognition,
    views_recognition_import,
    views_report_check,
    views_report_files,
    views_reports,
    views_users,
    views_workflow,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("province/<int:pk>/", views_dashboards.province, name="province"),
    path("province/<int:pk>/report/", views_reports.report, name="province_report"),
    path("district/<int:pk>/report/", views_reports.district_report, name="district_report"),
    path("central/report/", views_reports.country_report, name="country_report"),
    path(
        "province/<int:pk>/report/check/",
        views_report_check.report_check,
        name="province_report_check",
    ),
    path("province/<int:pk>/map/", views_dashboards.province_map, name="province_map"),
    path(
        "province/<int:pk>/report.xlsx", views_report_files.report_workbook, name="report_workbook"
    ),
    path("province/<int:pk>/report.pdf", views_report_files.report_pdf, name="report_pdf"),
    path("report-files/<int:job_id>/", views_report_files.report_job, name="report_job"),
    path("report-files/<int:job_id>/file", views_report_files.report_job_file, name="report_file"),
    path("province/<int:pk>/groups/", views_groups.groups, name="province_groups"),
    path(
        "province/<int:pk>/groups/template/",
        views_groups.groups_template,
        name="province_groups_template",
    ),
    path(
        "province/<int:pk>/groups/import/",
        views_groups.groups_import,
        name="province_groups_import",
    ),
    path("province/<int:pk>/counts/", views_counts.counts, name="province_counts"),
    path(
        "district/<int:pk>/criteria/",
        views_districts.district_criteria,
        name="district_criteria",
    ),
    path(
        "province/<int:pk>/recognitions/import/",
        views_recognition_import.recognition_import,
        name="recognition_import",
    ),
    path("province/<int:pk>/decisions/", views_decisions.decisions, name="province_decisions"),
    path(
        "province/<int:pk>/decisions/<int:decision>/scan/",
        views_decisions.decisions_scan,
        name="province_decisions_scan",
    ),
    path(
        "province/<int:pk>/decisions/scan/<int:scan>/",
        views_decisions.decisions_scan_file,
        name="province_decisions_scan_file",
    ),
    path(
        "province/<int:pk>/decisions/transition/",
        views_decisions.decisions_transition,
        name="province_decisions_transition",
    ),
    path(
        "province/<int:pk>/decisions/set/",
        views_decisions.decisions_set,
        name="province_decisions_set",
    ),
    path(
        "province/<int:pk>/decisions/overlay/",
        views_decisions.decisions_overlay,
        name="province_decisions_overlay",
    ),
    path(
        "province/<int:pk>/decisions/gaps/",
        views_decisions.decisions_gaps,
        name="province_decisions_gaps",
    ),
    path(
        "province/<int:pk>/decisions/gaps/import/",
        views_decisions.decisions_gaps_import,
        name="province_decisions_gaps_import",
    ),
    path(
        "province/<int:pk>/recognitions/",
        views_recognition.recognitions,
        name="recognitions",
    ),
    path(
        "province/<int:pk>/recognitions/export/",
        views_recognition.recognitions_export,
        name="recognitions_export",
    ),
    path("recognitions/<int:pk>/", views_recognition.recognition, name="recognition"),
    path(
        "recognitions/decision/<int:pk>/",
        views_recognition.recognition_decision,
        name="recognition_decision",
    ),
    path(
        "recognitions/decision/<int:pk>/scan/",
        views_recognition.recognition_decision_scan,
        name="recognition_decision_scan",
    ),
    path(
        "recognitions/scan/<int:pk>/",
        views_recognition.recognition_scan_file,
        name="recognition_scan_file",
    ),
    path(
        "recognitions/unit/<int:pk>/",
        views_recognition.recognition_unit,
        name="recognition_unit",
    ),
    path(
        "province/<int:pk>/disagreements/",
        views_dashboards.disagreements,
        name="disagreements",
    ),
    path("province/<int:pk>/queue/", views_workflow.review_queue, name="review_queue"),
    path(
        "province/<int:pk>/queue/rule/",
        views_workflow.require_complete,
        name="require_complete",
    ),
    path("notifications/", views_workflow.notifications, name="notifications"),
    path("notifications/read/", views_workflow.notifications_read, name="notifications_read"),
    path("commune/<int:pk>/", views_dashboards.commune, name="commune"),
    path("search/", views_find.search, name="search"),
    path("province/<int:pk>/communes/", views_find.province_communes, name="province_communes"),
    path(
        "province/<int:pk>/district/<int:district>/",
        views_find.district_communes,
        name="district_communes",
    ),
    path("central/", views_dashboards.central, name="central"),
    path("criteria/", views.criteria_sets, name="criteria_sets"),
    path("password/", views_users.password_change, name="password_change"),
    path("users/", views_users.users, name="users"),
    path("users/new/", views_users.user_create, name="user_create"),
    path("users/<int:pk>/", views_users.user, name="user"),
    path("users/<int:pk>/edit/", views_users.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views_users.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views_users.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/password/", views_users.user_password, name="user_password"),
    path("users/<int:pk>/roles/", views_users.user_role_grant, name="user_role_grant"),
    path(
        "users/<int:pk>/roles/<int:assignment>/revoke/",
        views_users.user_role_revoke,
        name="user_role_revoke",
    ),
    path("users/<int:pk>/audit/", views_users.user_audit, name="user_audit"),
]
