"""Reader-facing pages. Every query starts from Article.objects.published()."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Article, Author, Section

PAGE_SIZE = 12


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    articles = list(Article.objects.published().for_listing()[:13])
    return render(
        request,
        "articles/home.html",
        {"lead": articles[0] if articles else None, "articles": articles[1:]},
    )


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().for_detail(), slug=slug)
    return render(request, "articles/article_detail.html", {"article": article})


def _page(request: HttpRequest, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= max(paginator.num_pages, 1):
        raise Http404("No such page")
    return paginator.page(int(number))


@require_safe
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    page = _page(request, Article.objects.published().for_listing().filter(section=section))
    return render(request, "articles/section_detail.html", {"section": section, "page": page})


@require_safe
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    page = _page(request, Article.objects.published().for_listing().filter(authors=author))
    return render(request, "articles/author_detail.html", {"author": author, "page": page})
