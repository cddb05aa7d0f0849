"""The public pages: read-only, no login (`ntm.web.views_public`)."""

from django.urls import path

from ntm.web import views_public

app_name = "public"

urlpatterns = [
    path("", views_public.national, name="national"),
    path("province/<int:pk>/", views_public.province, name="province"),
    path("criterion/<int:number>/", views_public.criterion, name="criterion"),
]
