from django.contrib.auth import views as auth_views
from django.urls import path

from ntm.web import views

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
    path("province/<int:pk>/", views.province, name="province"),
    path("commune/<int:pk>/", views.commune, name="commune"),
    path("central/", views.central, name="central"),
]
