from django.urls import path

from . import bulk, dashboard, exports, programmes

app_name = "coordinator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("program/", programmes.programme_list, name="programmes"),
    path("program/nytt/", programmes.programme_create, name="programme-create"),
    path("program/<int:pk>/", programmes.programme_detail, name="programme"),
    path("program/<int:pk>/andra/", programmes.programme_edit, name="programme-edit"),
    path("program/<int:pk>/publicera/", programmes.programme_publish, name="programme-publish"),
    path("program/<int:pk>/fragor/ny/", programmes.question_create, name="question-create"),
    path("program/<int:pk>/fragor/<int:question_pk>/", programmes.question_edit, name="question-edit"),
    path("program/<int:pk>/fragor/<int:question_pk>/flytta/", programmes.question_move, name="question-move"),
    path(
        "program/<int:pk>/fragor/<int:question_pk>/ta-bort/",
        programmes.question_delete,
        name="question-delete",
    ),
    path("utskick/", bulk.sent_list, name="bulk"),
    path("utskick/nytt/", bulk.compose, name="bulk-compose"),
    path("utskick/<int:pk>/", bulk.sent_detail, name="bulk-detail"),
    path("export/", exports.export_view, name="exports"),
]
