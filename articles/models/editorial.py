"""The newsroom's records around an article: what happened to it (events), what it
looked like (revisions), who may read a draft (preview links), what was corrected, and
the addresses it used to have."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .content import Article


def _newsroom_member() -> models.ForeignKey:
    """Who did it: kept as a record even if the account is deleted later."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class EventAction(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted for review"
    SENT_BACK = "sent_back", "Sent back to the writer"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    ARCHIVED = "archived", "Archived"
    EXPIRED = "expired", "Expired"
    RESTORED = "restored", "Restored a revision"
    CORRECTED = "corrected", "Added a correction or update"
    PREVIEW_SHARED = "preview_shared", "Shared a preview link"
    PREVIEW_REVOKED = "preview_revoked", "Revoked a preview link"


class ArticleEvent(models.Model):
    """A state change or editorial action: who did what to which article, and when."""

    Action = EventAction

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    by = _newsroom_member()
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=EventAction.values), name="event_action_valid"
            ),
        ]

    def __str__(self) -> str:
        who = self.by or "the system"
        return f"{self.get_action_display()} by {who} at {self.at:%Y-%m-%d %H:%M}"


class Revision(models.Model):
    """The whole article as it was saved, with its byline, takeaways and sources."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = _newsroom_member()
    data = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_once"),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.article_id}"


SHARE_SALT = "cyrus.preview-link"


def _token() -> str:
    return secrets.token_urlsafe(24)


class PreviewLink(models.Model):
    """A link that lets someone without an account read one draft until it expires."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = _newsroom_member()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="preview_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Preview of {self.article} until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        """The share link: the random token, signed with the site's SECRET_KEY."""
        signed = signing.Signer(salt=SHARE_SALT).sign(self.token)
        return reverse("articles:preview-share", kwargs={"token": signed})

    @staticmethod
    def token_from_url(value: str) -> str | None:
        try:
            return signing.Signer(salt=SHARE_SALT).unsign(value)
        except signing.BadSignature:
            return None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Correction(models.Model):
    """A dated correction or update note shown on the article."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="What was wrong and what is right, in plain words.")
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = _newsroom_member()

    class Meta:
        ordering = ["published_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="correction_text_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=["correction", "update"]), name="correction_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.published_at:%d %B %Y}: {self.text[:60]}"


class SlugRedirect(models.Model):
    """An address an article used to have; it answers with a permanent redirect."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"
