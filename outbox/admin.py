from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Background tasks asked for by the application; failed e-mails are found with the state filter."""

    list_display = [
        "id",
        "task_name",
        "summary",
        "state",
        "attempts",
        "created_at",
        "published_at",
        "short_error",
    ]
    list_filter = ["state", "task_name", "created_at"]
    search_fields = ["task_name", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["requeue"]
    list_per_page = 50

    @admin.display(description=_("summary"))
    def summary(self, obj: OutboxMessage) -> str:
        """For e-mails: the subject and recipients, so a failed e-mail is recognised."""
        kwargs, args = obj.kwargs or {}, obj.args or []
        subject = kwargs.get("subject") or (args[0] if args else "")
        to = kwargs.get("to") or (args[2] if len(args) > 2 else "")
        to = ", ".join(to) if isinstance(to, list) else str(to or "")
        return " → ".join(part for part in (str(subject)[:80], to[:80]) if part)

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Send the selected messages again"))
    def requeue(self, request, queryset) -> None:
        count = queryset.exclude(state=OutboxMessage.State.PENDING).update(
            state=OutboxMessage.State.PENDING, published_at=None
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again within a minute.",
                "%(count)d messages will be sent again within a minute.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a record of what was asked for; only the requeue action changes it
