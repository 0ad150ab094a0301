"""Border status pages, included under /border/ by haven/web/urls.py (namespace "web")."""

from django.urls import path

from haven.web import views_borders

urlpatterns = [
    path("", views_borders.board, name="border_board"),
    path("reports/<str:public_id>/hide/", views_borders.report_hide, name="border_report_hide"),
    path("reports/<str:public_id>/freeze/", views_borders.reporter_freeze, name="border_reporter_freeze"),
    path("reports/<str:public_id>/report/", views_borders.report_abuse, name="border_report_abuse"),
    path("<slug:slug>/", views_borders.detail, name="border_detail"),
    path("<slug:slug>/report/", views_borders.report, name="border_report"),
    path("<slug:slug>/flags/", views_borders.flag_decide, name="border_flag_decide"),
]
