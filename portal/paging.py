"""Pagination shared by every list page: one page of items, and the query string to keep in page links."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, items, per_page: int, param: str = "page") -> Page:
    """The page of ``items`` the request asks for; malformed or out-of-range numbers give a valid page."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def query_without(request: HttpRequest, param: str = "page") -> str:
    """The request's query string minus ``param``, for links to other pages that keep the filters."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()
