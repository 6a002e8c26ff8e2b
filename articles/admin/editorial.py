"""The newsroom's workflow in the admin: state changes, history, comparison, restore,
share links for previews, and the log of who did what."""

import difflib
from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import Article, ArticleEvent, PreviewLink, Revision
from ..services import workflow


class TransitionForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For the record, and for the writer when you send an article back.",
    )
    at = forms.SplitDateTimeField(
        label="Publication time",
        required=False,
        widget=forms.SplitDateTimeWidget(date_attrs={"type": "date"}, time_attrs={"type": "time"}),
        help_text="In the magazine's time zone. Only used to schedule.",
    )


class ShareForm(forms.Form):
    hours = forms.TypedChoiceField(
        label="The link works for",
        coerce=int,
        choices=list(workflow.PREVIEW_DURATIONS.items()),
        initial=72,
    )


class WorkflowAdminMixin:
    """Extra pages on the article admin; every one checks rights on the server."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/transition/<str:action>/",
                wrap(self.transition_view),
                name="articles_article_transition",
            ),
            path(
                "<int:pk>/revisions/",
                wrap(self.revisions_view),
                name="articles_article_history_revisions",
            ),
            path(
                "<int:pk>/revisions/compare/",
                wrap(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                wrap(self.restore_view),
                name="articles_article_restore",
            ),
            path("<int:pk>/share/", wrap(self.share_view), name="articles_article_share"),
            *super().get_urls(),
        ]

    def _article(self, request, pk: int) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _context(self, request, article, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "has_view_permission": True,
            **extra,
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transitions"] = workflow.allowed_transitions(article=obj, user=request.user)
            context["can_share"] = workflow.can_edit(request.user, obj) or workflow.can_publish(
                request.user
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_view(self, request, pk: int, action: str):
        article = self._article(request, pk)
        transition = workflow.TRANSITIONS.get(action)
        if transition is None:
            raise PermissionDenied
        bound = request.POST if request.method == "POST" else None
        form = TransitionForm(
            bound,
            initial={
                "at": timezone.localtime(article.published_at) if article.published_at else None
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                workflow.article_transition(
                    article=article,
                    action=action,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    at=form.cleaned_data["at"] if action == ArticleEvent.Action.SCHEDULED else None,
                )
            except PermissionDenied:
                raise
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"“{article.title}”: {transition.label.lower()} — done.",
                    messages.SUCCESS,
                )
                return redirect("admin:articles_article_change", article.pk)
        elif request.method != "POST" and not any(
            t.action == action
            for t in workflow.allowed_transitions(article=article, user=request.user)
        ):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/articles/article/transition.html",
            self._context(
                request,
                article,
                form=form,
                transition=transition,
                blockers=workflow.publish_blockers(article=article),
                title=f"{transition.label}: {article.title}",
            ),
        )

    def revisions_view(self, request, pk: int):
        article = self._article(request, pk)
        revisions = article.revisions.select_related("created_by")
        events = article.events.select_related("by")[:200]
        return TemplateResponse(
            request,
            "admin/articles/article/revisions.html",
            self._context(
                request,
                article,
                revisions=revisions,
                events=events,
                can_restore=workflow.can_edit(request.user, article),
                title=f"History of “{article.title}”",
            ),
        )

    def compare_view(self, request, pk: int):
        article = self._article(request, pk)
        numbers = sorted({int(n) for n in request.GET.getlist("r") if n.isdigit()})
        if len(numbers) != 2:
            self.message_user(request, "Choose two revisions to compare.", messages.WARNING)
            return redirect("admin:articles_article_history_revisions", article.pk)
        old, new = (get_object_or_404(Revision, article=article, number=n) for n in numbers)
        rows = []
        for key in new.data:
            before, after = old.data.get(key), new.data.get(key)
            diff = _diff(_as_text(before), _as_text(after)) if before != after else []
            # Side by side: the old revision keeps and loses lines, the new keeps and gains.
            rows.append(
                {
                    "field": key.replace("_", " "),
                    "changed": before != after,
                    "old": [(mark, line) for mark, line in diff if mark in " -"],
                    "new": [(mark, line) for mark, line in diff if mark in " +"],
                }
            )
        rows = [row for row in rows if row["changed"]]
        return TemplateResponse(
            request,
            "admin/articles/article/compare.html",
            self._context(
                request,
                article,
                old=old,
                new=new,
                rows=rows,
                title=f"Revision {old.number} and {new.number} of “{article.title}”",
            ),
        )

    def restore_view(self, request, pk: int, number: int):
        article = self._article(request, pk)
        revision = get_object_or_404(Revision, article=article, number=number)
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied
        if request.method == "POST":
            workflow.restore_revision(revision=revision, by=request.user)
            self.message_user(request, f"Restored revision {number}.", messages.SUCCESS)
            return redirect("admin:articles_article_change", article.pk)
        return TemplateResponse(
            request,
            "admin/articles/article/restore.html",
            self._context(
                request,
                article,
                revision=revision,
                title=f"Restore revision {number}?",
            ),
        )

    def share_view(self, request, pk: int):
        article = self._article(request, pk)
        if not (workflow.can_edit(request.user, article) or workflow.can_publish(request.user)):
            raise PermissionDenied
        form = ShareForm(request.POST if request.method == "POST" else None)
        created = None
        if request.method == "POST" and "revoke" in request.POST:
            link = get_object_or_404(PreviewLink, pk=request.POST["revoke"], article=article)
            workflow.revoke_preview(link=link, by=request.user)
            self.message_user(request, "The link no longer works.", messages.SUCCESS)
            return redirect("admin:articles_article_share", article.pk)
        if request.method == "POST" and form.is_valid():
            created = workflow.share_preview(
                article=article, by=request.user, hours=form.cleaned_data["hours"]
            )
        links = article.preview_links.select_related("created_by")
        return TemplateResponse(
            request,
            "admin/articles/article/share.html",
            self._context(
                request,
                article,
                form=form,
                created=created,
                links=links,
                now=timezone.now(),
                title=f"Share a preview of “{article.title}”",
            ),
        )


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(
            ", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict) else str(item)
            for item in value
        )
    if isinstance(value, str) and len(value) > 18 and value[10:11] == "T":
        try:
            return f"{timezone.localtime(datetime.fromisoformat(value)):%d %B %Y %H:%M}"
        except ValueError:
            return value
    return str(value)


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line by line: ("-", removed), ("+", added), (" ", kept)."""
    split = lambda text: text.replace("</p>", "</p>\n").splitlines() or [""]  # noqa: E731
    return [
        (line[0], line[2:])
        for line in difflib.ndiff(split(before), split(after))
        if not line.startswith("?")
    ]


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "created_by", "created_at", "expires_at", "state"]
    list_select_related = ["article", "created_by"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # made from the article's "Share preview" page

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state(self, obj: PreviewLink) -> str:
        if obj.revoked_at:
            return "revoked"
        return "active" if obj.is_active else "expired"

    @admin.action(description="Revoke selected links")
    def revoke(self, request, queryset):
        for link in queryset:
            workflow.revoke_preview(link=link, by=request.user)


@admin.register(ArticleEvent)
class ArticleEventAdmin(admin.ModelAdmin):
    """The newsroom's log: who published, corrected or changed what, and when."""

    list_display = ["at", "action", "article_link", "by", "from_status", "to_status", "note"]
    list_filter = ["action", "by"]
    search_fields = ["article__title", "note", "by__username"]
    date_hierarchy = "at"
    list_select_related = ["article", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Article")
    def article_link(self, obj: ArticleEvent) -> str:
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.title)
