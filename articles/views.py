"""Reader-facing pages. Every query starts from Article.objects.published()."""

from xml.sax.saxutils import escape as xml_escape

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.shortcuts import render as _render
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from markupsafe import Markup

from . import search as search_engine
from . import seo
from .caching import public_page
from .context_processors import nav_sections, use_nav_sections
from .links import around_slug, site_root
from .models import Article, Correction, PreviewLink, SlugRedirect
from .services import reading

READER_TEMPLATES = "jinja2"  # the alias of settings.TEMPLATES' Jinja2 engine


def render(
    request: HttpRequest, template_name: str, context=None, content_type=None, status=None
) -> HttpResponse:
    """``django.shortcuts.render`` from the site's Jinja2 templates. Without an engine
    named, Django starts every configured engine to look for the template, and its own
    engine loads every installed app's template tags (the admin's too): about 1 MB more
    in each worker that serves only readers, who never need it."""
    return _render(request, template_name, context, content_type, status, using=READER_TEMPLATES)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page (magazine/urls.py's handler404): templates/jinja2/404.html, as Django's
    own handler would find it, without starting Django's template engine to look."""
    return render(request, "404.html", status=404)


def _page_number(request: HttpRequest) -> int:
    number = request.GET.get("page", "1")
    if not number.isdigit() or int(number) < 1 or len(number) > 6:
        raise Http404("No such page")
    return int(number)


def _cursors(request: HttpRequest) -> dict:
    """The Older link's ``before`` or the Newer link's ``after`` (reading.Cursor), if any."""
    found = {}
    for param, name in (("before", "older_than"), ("after", "newer_than")):
        if (text := request.GET.get(param)) is not None:
            if (cursor := reading.Cursor.parse(text)) is None:
                raise Http404(f"No such page: {param}")
            found[name] = cursor
    if len(found) > 1:
        raise Http404("No such page: before and after")
    return found


def _nonempty(page: reading.Page) -> reading.Page:
    if not page.items and page.number > 1:
        raise Http404("No such page")
    return page


def _listing_tags(articles) -> set[str]:
    """A list shows these articles, their sections and their authors."""
    tags = set()
    for article in articles:
        tags.add(f"article:{article.pk}")
        if article.section_id:
            tags.add(f"section:{article.section_id}")
        tags |= {f"author:{a.pk}" for a in article.byline_authors()}
    return tags


def _tagged(response: HttpResponse, *tags) -> HttpResponse:
    response.cache_tags = {"nav", *tags}
    return response


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    lead, groups = reading.front_page(nav_sections(request))
    shown = ([lead] if lead else []) + [a for _, items in groups for a in items]
    response = render(request, "articles/home.html", {"lead": lead, "groups": groups})
    return _tagged(response, "home", *_listing_tags(shown))


@require_safe
@public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = reading.article(slug)
    if article is None:
        # An old address of a published article: one permanent hop to where it lives now.
        moved = (
            SlugRedirect.objects.filter(old_slug=slug, article__in=Article.objects.published())
            .select_related("article")
            .first()
        )
        if moved is None:
            raise Http404("No such article")
        return HttpResponsePermanentRedirect(moved.article.get_absolute_url())
    use_nav_sections(request, reading.menu(article))
    related = reading.related(article)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "related": related,
            "json_ld": seo.news_article(article, request),
            "social_image": seo.social_image(article, request),
            "preview_banner": "",
        },
    )
    return _tagged(response, *_listing_tags([article, *related]))


@require_safe
@public_page
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = next((s for s in nav_sections(request) if s.slug == slug), None)
    if section is None:
        raise Http404("No such section")
    page = _nonempty(reading.section_page(section.pk, _page_number(request), **_cursors(request)))
    response = render(request, "articles/section_detail.html", {"section": section, "page": page})
    return _tagged(response, f"section:{section.pk}", *_listing_tags(page.items))


@require_safe
@public_page
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = reading.author(slug)
    if author is None:
        raise Http404("No such author")
    page = _nonempty(reading.author_page(author.pk, _page_number(request), **_cursors(request)))
    response = render(request, "articles/author_detail.html", {"author": author, "page": page})
    return _tagged(response, f"author:{author.pk}", *_listing_tags(page.items))


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    query = search_engine.clean_query(request.GET.get("q", ""))
    page = _nonempty(reading.search_page(query, _page_number(request)))
    use_nav_sections(request, page.menu)
    for article in page.items:
        article.title_highlighted = search_engine.highlight(article.title, query)
        article.excerpt_highlighted = search_engine.excerpt(article.standfirst, article.body, query)
    response = render(
        request,
        "articles/search.html",
        {
            "query": query,
            "results": page.items,
            "page_number": page.number,
            "has_next": page.has_next,
            "has_previous": page.has_previous,
            "page_size": reading.SEARCH_PAGE_SIZE,
        },
    )
    return _tagged(response, "search", *_listing_tags(page.items))


@require_safe
@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        f"Sitemap: {request.build_absolute_uri('/sitemap-news.xml')}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response.cache_tags = {"robots"}
    return response


@require_safe
@public_page
def news_sitemap(request: HttpRequest) -> HttpResponse:
    from .sitemaps import news_items

    response = render(
        request,
        "articles/sitemap_news.xml",
        {"articles": news_items(), "language": "en"},
        content_type="application/xml; charset=utf-8",
    )
    response.cache_tags = {"sitemaps"}
    return response


@require_safe
@public_page
def articles_sitemap(request: HttpRequest) -> HttpResponse:
    """The articles part of the sitemap (the index lists its pages, ?p=2 and on)."""
    number = request.GET.get("p", "1")
    if not number.isdigit() or int(number) < 1 or len(number) > 6:
        raise Http404(f"No sitemap page {number!r}.")
    before, after = around_slug("articles:article-detail")
    page = reading.sitemap_articles(
        int(number), xml_escape(site_root(request) + before), xml_escape(after)
    )
    if not page.elements and int(number) > 1:
        raise Http404(f"Sitemap page {number} is empty.")
    response = render(
        request,
        "articles/sitemap_articles.xml",
        {"elements": Markup(page.elements)},
        content_type="application/xml",
    )
    if page.latest:
        response.headers["Last-Modified"] = http_date(page.latest.timestamp())
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's sitemaps
    response.cache_tags = {"sitemaps"}
    return response


# Previews: editors see drafts exactly as readers will; share links let others read one.

PRIVATE = "private, no-store"


def _preview_response(request: HttpRequest, article: Article, *, banner: str) -> HttpResponse:
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "related": reading.related(article),
            "json_ld": seo.news_article(article, request),
            "social_image": seo.social_image(article, request),
            "preview_banner": banner,
        },
    )
    response["Cache-Control"] = PRIVATE
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor's preview of any article, from the admin's Preview button."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path(), login_url="admin:login")
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    return _preview_response(
        request, article, banner=f"Preview: this article is {article.get_status_display().lower()}."
    )


@require_safe
def preview_share(request: HttpRequest, token: str) -> HttpResponse:
    """A share link: readable without an account until it expires or is revoked."""
    raw = PreviewLink.token_from_url(token)  # a tampered or guessed link fails here
    link = (
        PreviewLink.objects.select_related("article")
        .filter(token=raw, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
        if raw
        else None
    )
    if link is None:
        response = render(request, "articles/preview_gone.html", status=404)
        response["Cache-Control"] = PRIVATE
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    if Article.objects.published().filter(pk=link.article_id).exists():
        response = HttpResponseRedirect(link.article.get_absolute_url())
        response["Cache-Control"] = PRIVATE
        return response
    article = Article.objects.for_detail().get(pk=link.article_id)
    expires = timezone.localtime(link.expires_at)
    return _preview_response(
        request,
        article,
        banner=f"Shared preview, not yet published. The link works until "
        f"{expires:%H:%M on %d %B %Y}.",
    )


@require_safe
@public_page
def corrections(request: HttpRequest) -> HttpResponse:
    """Recent corrections and updates to published articles."""
    items = (
        Correction.objects.filter(article__in=Article.objects.published())
        .select_related("article")
        .order_by("-published_at", "-id")[:50]
    )
    response = render(request, "articles/corrections.html", {"corrections": items})
    return _tagged(response, "corrections")
