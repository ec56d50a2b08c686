from django.urls import path

from . import data_views

app_name = "followup_data"

urlpatterns = [
    path("", data_views.index, name="index"),
    path("befolkning/", data_views.population_table, name="population"),
    path("befolkning/import/", data_views.population_import, name="population-import"),
    path("indikatorer/", data_views.catalogue, name="catalogue"),
    path("indikatorer/<str:code>/", data_views.indicator_edit, name="indicator-edit"),
    path("enkater/<str:code>/", data_views.manual_values, name="manual-values"),
    path("enkatvarden/<int:pk>/", data_views.manual_value_edit, name="manual-value-edit"),
    path("enkatvarden/<int:pk>/ta-bort/", data_views.manual_value_delete, name="manual-value-delete"),
    path("export/kolada/", data_views.kolada, name="kolada"),
    path("export/<str:code>/", data_views.export, name="export"),
]
