"""The editors' admin: articles with their bylines, takeaways and sources."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from . import images, renditions, services
from .models import Article, Author, Byline, Section, Source, Takeaway


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "status", "section", "author_names", "published_at", "thumbnail"]
    list_filter = ["status", "section", "article_type"]
    list_select_related = ["section"]
    search_fields = ["title", "standfirst", "slug", "authors__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section"]
    readonly_fields = ["thumbnail", "rendition_status", "reading_time", "word_count", "updated_at"]
    inlines = [BylineInline, TakeawayInline, SourceInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "section", "article_type"]}),
        ("Publication", {"fields": ["status", "published_at", "updated_at"]}),
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
        (
            "Reading time",
            {"fields": ["reading_time", "word_count", "reading_time_override"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__author")

    @admin.display(description="Authors")
    def author_names(self, obj: Article) -> str:
        return ", ".join(a.name for a in obj.byline_authors())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        renditions.schedule(form.instance)

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
            '<img src="{}" alt="{}" style="width:120px;height:auto;border-radius:3px">',
            obj.hero_image.url,
            obj.hero_alt,
        )

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish_selected(self, request, queryset):
        done = 0
        for article in queryset:
            try:
                services.article_publish(article=article, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        if done:
            self.message_user(request, f"Published {done} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        done = 0
        for article in queryset:
            services.article_unpublish(article=article, by=request.user)
            done += 1
        self.message_user(request, f"Unpublished {done} article(s).", messages.SUCCESS)
