"""Articles, sections and authors in the admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import images, renditions, services
from ..models import Article, ArticleEvent, Author, Byline, Correction, Section, Source, Takeaway
from ..services import workflow
from .editorial import WorkflowAdminMixin


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "slug", "user"]
    search_fields = ["name", "slug", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


class ArticleAdminForm(forms.ModelForm):
    # The version the editor started from: a save from an older one is refused.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # A plain file field: our own checks (articles/images.py) judge the content and say
    # precisely what is wrong, instead of Django's generic "not a valid image".
    hero_image = forms.FileField(
        label="Hero image",
        required=False,
        widget=AdminFileWidget,
        help_text=Article._meta.get_field("hero_image").help_text,
    )

    class Meta:
        model = Article
        fields = ["hero_image"]  # the admin adds the rest from its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = (
                Article.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and current != loaded:
                raise ValidationError(conflict_message(self.instance), code="conflict")
        return cleaned

    def clean_hero_image(self):
        upload = self.cleaned_data.get("hero_image")
        if not isinstance(upload, UploadedFile):
            return upload  # unchanged, or cleared
        try:
            stored, checked = images.ingest_image(upload)
        except images.ImageRejected as error:
            raise ValidationError(f"This image cannot be used: {error}.") from None
        self.instance.hero_image_digest = checked.digest
        return stored


def conflict_message(article: Article) -> str:
    last = article.revisions.select_related("created_by").order_by("-number").first()
    who = last.created_by.get_username() if last and last.created_by else "someone else"
    when = f" at {timezone.localtime(last.created_at):%H:%M on %d %B}" if last else ""
    history = reverse("admin:articles_article_history_revisions", args=[article.pk])
    return format_html(
        "{} saved this article{} while you were editing it, so your changes have not "
        "been saved: nothing was overwritten. Your version is still in this form. "
        '<a href="{}">See what they changed</a>, then reload the article and apply your '
        "changes again.",
        who,
        when,
        history,
    )


class BylineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        authors = [
            form.cleaned_data["author"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("author")
        ]
        if len(authors) != len(set(authors)):
            raise ValidationError("Each author can appear only once in the byline.")
        if self.instance.status in Article.LIVE_STATUSES and not authors:
            raise ValidationError("A published or scheduled article needs at least one author.")


class BylineInline(admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    extra = 1
    verbose_name = "author in the byline"
    verbose_name_plural = "Byline (in order, lowest position first)"


class TakeawayInline(admin.TabularInline):
    model = Takeaway
    fields = ["text", "position"]
    extra = 1
    verbose_name_plural = "Key takeaways (in order)"


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["name", "relation", "url", "position"]
    extra = 1
    verbose_name_plural = "Sources (in order)"


class CorrectionInline(admin.StackedInline):
    model = Correction
    fields = ["kind", "text", "published_at"]
    readonly_fields = ["published_at"]
    extra = 0
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (shown on the article, with their date)"

    def has_change_permission(self, request, obj=None):
        return False  # a published correction stays as it was printed

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return obj is not None and workflow.can_publish(request.user)


WRITER_READONLY = ["published_at", "expires_at", "embargo_until"]


@admin.register(Article)
class ArticleAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "status", "section", "author_names", "published_at", "thumbnail"]
    list_filter = ["status", "section", "article_type"]
    list_select_related = ["section"]
    search_fields = ["title", "standfirst", "slug", "authors__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section"]
    inlines = [BylineInline, TakeawayInline, SourceInline, CorrectionInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "section", "article_type"]}),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "checklist",
                    "published_at",
                    "expires_at",
                    "embargo_until",
                    "updated_at",
                    "loaded_version",
                ]
            },
        ),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    "thumbnail",
                    "hero_alt",
                    "hero_credit",
                    "hero_caption",
                    ("hero_focal_x", "hero_focal_y"),
                    "rendition_status",
                ]
            },
        ),
        ("Body", {"fields": ["body", "takeaways_position"]}),
        ("Reading time", {"fields": ["reading_time", "word_count", "reading_time_override"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "status",
            "checklist",
            "thumbnail",
            "rendition_status",
            "reading_time",
            "word_count",
            "updated_at",
        ]
        if not workflow.can_publish(request.user):
            fields += WRITER_READONLY
        return fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__author")

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("articles.delete_article") and workflow.can_publish(
            request.user
        )

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        old_slug = ""
        if change:
            old_slug = Article.objects.filter(pk=obj.pk).values_list("slug", flat=True).first()
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        workflow.record_slug_change(article=obj, old_slug=old_slug or "")

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            for correction_form in formset.extra_forms:
                data = correction_form.cleaned_data if correction_form.has_changed() else None
                if data and not data.get("DELETE") and data.get("text"):
                    workflow.article_correct(
                        article=form.instance,
                        text=data["text"],
                        kind=data["kind"],
                        by=request.user,
                    )
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        workflow.record_revision(article=article, by=request.user)
        ArticleEvent.objects.create(
            article=article,
            action=ArticleEvent.Action.EDITED if change else ArticleEvent.Action.CREATED,
            from_status=article.status,
            to_status=article.status,
            by=request.user,
        )
        renditions.schedule(article)
        workflow.visibility_changed(article)

    @admin.display(description="Authors")
    def author_names(self, obj: Article) -> str:
        return ", ".join(a.name for a in obj.byline_authors())

    @admin.display(description="Publish checklist")
    def checklist(self, obj: Article) -> str:
        if obj.pk is None:
            return "Save the article to see what it still needs."
        blockers = services.publish_blockers(article=obj)
        advice = []
        if not obj.takeaways.exists():
            advice.append("it has no key takeaways")
        if not obj.sources.exists():
            advice.append("it names no source")
        return render_to_string(
            "admin/articles/article/checklist.html", {"blockers": blockers, "advice": advice}
        )

    @admin.display(description="Renditions")
    def rendition_status(self, obj: Article) -> str:
        if not obj.hero_image:
            return "—"
        if renditions.is_current(obj):
            count = sum(len(obj.hero_renditions.get(s.name, [])) for s in renditions.SPECS)
            return f"Ready: {count} sizes in AVIF, WebP and JPEG."
        return "Being made; pages show the original until they are ready."

    @admin.display(description="Image")
    def thumbnail(self, obj: Article) -> str:
        if not obj.hero_image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" class="cyrus-thumb" width="120">',
            obj.hero_image.url,
            obj.hero_alt,
        )

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish_selected(self, request, queryset):
        done = 0
        for article in queryset:
            try:
                services.article_publish(article=article, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
                )
        if done:
            self.message_user(request, f"Published {done} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        done = 0
        for article in queryset:
            try:
                services.article_unpublish(article=article, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        if done:
            self.message_user(request, f"Unpublished {done} article(s).", messages.SUCCESS)
