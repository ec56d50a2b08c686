from django.urls import path

from . import dashboard, report_views

app_name = "followup"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("indikator/<str:code>/", dashboard.indicator_detail, name="indicator"),
    path("diagram.css", dashboard.chart_stylesheet, name="chart-css"),
    path("rapporter/", report_views.report_list, name="reports"),
    path("rapporter/<slug:slug>/ny/", report_views.report_create, name="report-create"),
    path("rapporter/korning/<int:pk>/", report_views.run_detail, name="run"),
    path("rapporter/korning/<int:pk>/status.json", report_views.run_status, name="run-status"),
    path("rapporter/korning/<int:pk>/forsok-igen/", report_views.run_retry, name="run-retry"),
    path("rapporter/korning/<int:pk>/ladda-ner/", report_views.run_download, name="run-download"),
    path("rapporter/<slug:slug>/prenumerera/", report_views.subscription_edit, name="subscription"),
]
