from django.urls import path

from . import backoffice, backoffice_places

app_name = "activities_backoffice"

urlpatterns = [
    path("", backoffice.activity_list, name="list"),
    path("ny/", backoffice.activity_create, name="create"),
    path("<int:pk>/", backoffice.activity_detail, name="detail"),
    path("<int:pk>/andra/", backoffice.activity_edit, name="edit"),
    path("<int:pk>/forhandsvisning/", backoffice.activity_preview, name="preview"),
    path("<int:pk>/skicka-till-granskning/", backoffice.activity_submit, name="submit"),
    path("<int:pk>/publicera/", backoffice.activity_publish, name="publish"),
    path("<int:pk>/skicka-tillbaka/", backoffice.activity_return, name="return"),
    path("<int:pk>/stall-in/", backoffice.activity_cancel, name="cancel"),
    path("<int:pk>/nytt-tillfalle/", backoffice.occurrence_add, name="occurrence-add"),
    path("tillfalle/<int:pk>/", backoffice.occurrence_detail, name="occurrence"),
    path("tillfalle/<int:pk>/anmalningar.csv", backoffice.occurrence_export, name="occurrence-export"),
    path("tillfalle/<int:pk>/narvarolista/", backoffice.occurrence_print, name="occurrence-print"),
    path("tillfalle/<int:pk>/stall-in/", backoffice.occurrence_cancel, name="occurrence-cancel"),
    path("tillfalle/<int:pk>/narvaro/", backoffice.occurrence_attendance, name="occurrence-attendance"),
    path("granskning/", backoffice.moderation, name="moderation"),
    path("granskning/tips/<int:pk>/", backoffice.suggestion_detail, name="suggestion"),
    path("granskning/tips/<int:pk>/avvisa/", backoffice.suggestion_reject, name="suggestion-reject"),
    path("motesplatser/", backoffice_places.place_list, name="places"),
    path("motesplatser/ny/", backoffice_places.place_edit, name="place-create"),
    path("motesplatser/<int:pk>/", backoffice_places.place_edit, name="place-edit"),
    path("motesplatser/<int:pk>/ta-bort/", backoffice_places.place_delete, name="place-delete"),
    path("kategorier/", backoffice_places.category_list, name="categories"),
    path("kategorier/ny/", backoffice_places.category_edit, name="category-create"),
    path("kategorier/<int:pk>/", backoffice_places.category_edit, name="category-edit"),
    path("orter/", backoffice_places.locality_list, name="localities"),
    path("orter/ny/", backoffice_places.locality_edit, name="locality-create"),
    path("orter/<int:pk>/", backoffice_places.locality_edit, name="locality-edit"),
]
