from django.urls import path

from . import register

app_name = "register"

urlpatterns = [
    path("", register.association_list, name="list"),
    path("mina/", register.my_associations, name="mine"),
    path("ny/", register.association_create, name="create"),
    path("<int:pk>/", register.association_detail, name="detail"),
    path("<int:pk>/andra/", register.association_edit, name="edit"),
    path("<int:pk>/bekrafta/", register.association_confirm, name="confirm"),
    path("<int:pk>/styrelse/", register.board, name="board"),
    path("<int:pk>/styrelse/<int:member_pk>/", register.board_member_edit, name="board-member"),
    path(
        "<int:pk>/styrelse/<int:member_pk>/ta-bort/", register.board_member_remove, name="board-member-remove"
    ),
    path("<int:pk>/medlemmar/", register.member_counts, name="members"),
    path("<int:pk>/konto/", register.payment_account, name="payment"),
    path("<int:pk>/konto/<int:change_pk>/beslut/", register.payment_change_decide, name="payment-decide"),
    path("<int:pk>/personer/", register.people, name="people"),
    path(
        "<int:pk>/personer/<int:rep_pk>/ta-bort/",
        register.representative_remove,
        name="representative-remove",
    ),
    path(
        "<int:pk>/inbjudningar/<int:invitation_pk>/aterkalla/",
        register.invitation_cancel,
        name="invitation-cancel",
    ),
    path("<int:pk>/dokument/", register.documents, name="documents"),
    path("inbjudan/<str:token>/", register.invitation_accept, name="invitation"),
    path("dokument/granska/", register.review_queue, name="review-queue"),
    path("dokument/<int:pk>/granska/", register.document_review, name="document-review"),
    path("dokument/<int:pk>/fil/", register.document_download, name="document-download"),
]
