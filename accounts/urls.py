from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    # The account page (#16): e-mail, password, export, deletion.
    path("", views.account, name="account"),
    path("email/verify/", views.email_resend, name="email_resend"),
    path("email/verify/<str:token>/", views.email_confirm, name="email_confirm"),
    path("email/change/", views.email_change, name="email_change"),
    path("password/change/", views.password_change, name="password_change"),
    path("delete/", views.account_delete_view, name="delete"),
    path("export.json", views.account_data_export, name="export"),
    # Django's password reset, throttled where it sends mail.
    path("password-reset/", views.password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
