from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.paging import page_of, query_without

from .access import role_required
from .filters import AuditEntryFilter
from .models import AuditEntry
from .roles import ADMIN


@require_GET
@role_required(ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse and filter the audit log (read-only, administrators only)."""
    filterset = AuditEntryFilter(request.GET or None, queryset=AuditEntry.objects.all())
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else AuditEntry.objects.all()
    page = page_of(request, entries, 50)
    return render(
        request,
        "backoffice/audit_log.html",
        {"filter": filterset, "page": page, "query": query_without(request)},
    )
