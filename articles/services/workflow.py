"""The newsroom's workflow: who may do what to an article, state changes with their
record, revisions, corrections, preview links and old addresses.

Every state change goes through ``article_transition``, which checks the user's rights on
the server (a forged POST is refused like any other request), changes the state with a
compare-and-set update (so two editors, or two copies of publish_scheduled, cannot both
apply it), records who and when, and runs what must happen when visibility changes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from .. import caching
from ..models import Article, ArticleEvent, Correction, PreviewLink, Revision, SlugRedirect
from .publishing import publish_blockers

S = Article.Status
A = ArticleEvent.Action

# Called with the article after any change readers could notice (cache purges, CDN
# purges, search pings): the site adds its own with ``on_visibility_change``.
_visibility_hooks: list[Callable[[Article], None]] = []


def on_visibility_change(hook: Callable[[Article], None]) -> Callable[[Article], None]:
    _visibility_hooks.append(hook)
    return hook


def visibility_changed(article: Article) -> None:
    """Run every hook after the current transaction commits.

    The page cache is also purged at once: within a transaction that is harmless, and a
    page rendered from not-yet-committed data is purged again by the hook on commit.
    """
    caching.purge_article(article)
    for hook in _visibility_hooks:
        transaction.on_commit(lambda hook=hook: hook(article))


# Rights.


def can_publish(user: AbstractBaseUser | None) -> bool:
    return user is not None and user.has_perm("articles.publish_article")


def is_own(user: AbstractBaseUser, article: Article) -> bool:
    if article.pk is None or article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def can_edit(user: AbstractBaseUser, article: Article) -> bool:
    """Editors edit anything; writers edit their own articles while they are drafts."""
    if not user.has_perm("articles.change_article"):
        return False
    if user.has_perm("articles.edit_any_article"):
        return True
    return article.status == S.DRAFT and is_own(user, article)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    needs_publish_right: bool = True
    needs_note: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(A.SUBMITTED, "Submit for review", (S.DRAFT,), needs_publish_right=False),
        Transition(
            A.SENT_BACK, "Send back to the writer", (S.REVIEW, S.SCHEDULED), needs_note=True
        ),
        Transition(A.SCHEDULED, "Schedule", (S.DRAFT, S.REVIEW)),
        Transition(A.PUBLISHED, "Publish now", (S.DRAFT, S.REVIEW, S.SCHEDULED)),
        Transition(A.UNPUBLISHED, "Unpublish", (S.PUBLISHED, S.SCHEDULED)),
        Transition(A.ARCHIVED, "Archive", (S.DRAFT, S.REVIEW, S.SCHEDULED, S.PUBLISHED)),
        Transition(A.RESTORED, "Bring back from the archive", (S.ARCHIVED,)),
    )
}
_TARGET = {
    A.SUBMITTED: S.REVIEW,
    A.SENT_BACK: S.DRAFT,
    A.SCHEDULED: S.SCHEDULED,
    A.PUBLISHED: S.PUBLISHED,
    A.UNPUBLISHED: S.DRAFT,
    A.ARCHIVED: S.ARCHIVED,
    A.RESTORED: S.DRAFT,
}


def allowed_transitions(*, article: Article, user: AbstractBaseUser) -> list[Transition]:
    """The transitions ``user`` may apply to ``article`` now, in menu order."""
    result = []
    for transition in TRANSITIONS.values():
        if article.status not in transition.sources:
            continue
        if transition.needs_publish_right and not can_publish(user):
            continue
        if not transition.needs_publish_right and not (
            can_edit(user, article) or can_publish(user)
        ):
            continue
        result.append(transition)
    return result


def _record(article: Article, action: str, by, *, before: str = "", note: str = "") -> None:
    ArticleEvent.objects.create(
        article=article,
        action=action,
        from_status=before,
        to_status=article.status,
        by=by if by is not None and by.pk else None,
        note=note,
    )


@transaction.atomic
def article_transition(
    *,
    article: Article,
    action: str,
    by: AbstractBaseUser | None,
    note: str = "",
    at: datetime | None = None,
    system: bool = False,
) -> Article:
    """Move ``article`` through the workflow; raise PermissionDenied or ValidationError.

    ``system`` is for publish_scheduled: the clock, not a person, is acting.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(f"Unknown action {action!r}.")
    if not system:
        if by is None:
            raise PermissionDenied("Only a signed-in member of the newsroom can do this.")
        if transition.needs_publish_right and not can_publish(by):
            raise PermissionDenied(f"You may not {transition.label.lower()} articles.")
        if not transition.needs_publish_right and not (can_edit(by, article) or can_publish(by)):
            raise PermissionDenied("You may only submit your own drafts.")
    if transition.needs_note and not note.strip():
        raise ValidationError("Say what needs to change: the writer sees this note.")
    before = article.status
    if before not in transition.sources:
        raise ValidationError(
            f"“{article.title}” is {article.get_status_display().lower()}: it cannot be "
            f"changed with “{transition.label}”."
        )
    now = timezone.now()
    target = _TARGET[action]
    changes: dict = {"status": target}
    if action in (A.SCHEDULED, A.PUBLISHED):
        problems = publish_blockers(article=article)
        if problems:
            raise ValidationError(f"“{article.title}” cannot be published: {', '.join(problems)}.")
    if action == A.SCHEDULED:
        when = at or article.published_at
        if when is None or when <= now:
            raise ValidationError("To schedule, give a publication time in the future.")
        changes["published_at"] = when
    elif action == A.PUBLISHED:
        when = at or (article.published_at if before == S.PUBLISHED else None) or now
        changes["published_at"] = min(when, now) if at is None else when
        if changes["published_at"] > now:
            changes["status"] = S.SCHEDULED
    # Compare and set: only one of two concurrent requests finds the old status.
    updated = Article.objects.filter(pk=article.pk, status=before).update(
        **changes, updated_at=now, version=F("version") + 1
    )
    if not updated:
        raise ValidationError(
            f"“{article.title}” was changed by someone else a moment ago; reload and try again."
        )
    article.refresh_from_db()
    _record(article, action, None if system else by, before=before, note=note)
    visibility_changed(article)
    return article


@transaction.atomic
def publish_due(*, at: datetime | None = None) -> tuple[list[Article], list[Article]]:
    """Mark due scheduled articles published and expired ones archived; idempotent."""
    now = at or timezone.now()
    went_live, expired = [], []
    for article in Article.objects.due(at=now).order_by("published_at", "pk"):
        updated = Article.objects.filter(pk=article.pk, status=S.SCHEDULED).update(
            status=S.PUBLISHED, version=F("version") + 1
        )
        if updated:  # another copy of the command may have got there first
            article.status = S.PUBLISHED
            _record(article, A.PUBLISHED, None, before=S.SCHEDULED, note="At its scheduled time.")
            visibility_changed(article)
            went_live.append(article)
    for article in Article.objects.expired(at=now).order_by("expires_at", "pk"):
        before = article.status
        updated = Article.objects.filter(pk=article.pk, status=before).update(
            status=S.ARCHIVED, updated_at=now, version=F("version") + 1
        )
        if updated:
            article.status = S.ARCHIVED
            _record(article, A.EXPIRED, None, before=before, note="Its expiry time passed.")
            visibility_changed(article)
            expired.append(article)
    # Embargoes that lifted since the last run change nothing in the database, but cached
    # pages must start showing the article: purge them.
    last_run = cache.get(LAST_RUN_KEY) or now - timedelta(days=1)
    for article in Article.objects.filter(
        status__in=Article.LIVE_STATUSES, embargo_until__gt=last_run, embargo_until__lte=now
    ):
        visibility_changed(article)
    cache.set(LAST_RUN_KEY, now, None)
    return went_live, expired


LAST_RUN_KEY = "publish_scheduled:last_run"


# Revisions.


def snapshot(article: Article) -> dict:
    """Everything an editor can change, as plain data."""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "section": article.section_id,
        "article_type": article.article_type,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "expires_at": article.expires_at.isoformat() if article.expires_at else None,
        "embargo_until": article.embargo_until.isoformat() if article.embargo_until else None,
        "hero_image": article.hero_image.name or "",
        "hero_alt": article.hero_alt,
        "hero_credit": article.hero_credit,
        "hero_caption": article.hero_caption,
        "hero_focal_x": article.hero_focal_x,
        "hero_focal_y": article.hero_focal_y,
        "body": article.body,
        "takeaways_position": article.takeaways_position,
        "reading_time_override": article.reading_time_override,
        "status": article.status,
    }
    fields["authors"] = [
        {"id": b.author_id, "name": b.author.name}
        for b in article.bylines.select_related("author").order_by("position", "id")
    ]
    fields["takeaways"] = list(article.takeaways.values_list("text", flat=True))
    fields["sources"] = [
        {"name": s.name, "relation": s.relation, "url": s.url} for s in article.sources.all()
    ]
    return fields


def record_revision(*, article: Article, by: AbstractBaseUser | None) -> Revision:
    """Keep the article as it is now; skipped when nothing differs from the last one."""
    data = snapshot(article)
    last = article.revisions.order_by("-number").first()
    if last is not None and last.data == data:
        return last
    number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Revision.objects.create(
        article=article,
        number=number,
        data=data,
        created_by=by if by is not None and by.pk else None,
    )


@transaction.atomic
def restore_revision(*, revision: Revision, by: AbstractBaseUser) -> Article:
    """Bring the article's content back to ``revision`` (its state is left alone)."""
    from ..models import Author, Byline, Source, Takeaway

    article = Article.objects.select_for_update().get(pk=revision.article_id)
    if not can_edit(by, article):
        raise PermissionDenied("You may not edit this article.")
    data = revision.data
    for name in (
        "title",
        "standfirst",
        "article_type",
        "hero_alt",
        "hero_credit",
        "hero_caption",
        "hero_focal_x",
        "hero_focal_y",
        "body",
        "takeaways_position",
        "reading_time_override",
    ):
        setattr(article, name, data[name])
    article.section_id = data["section"]
    if data["hero_image"]:
        article.hero_image.name = data["hero_image"]
    old_slug = article.slug
    article.slug = data["slug"]
    article.full_clean(exclude=["hero_image"])
    article.save()
    record_slug_change(article=article, old_slug=old_slug)
    known = set(
        Author.objects.filter(pk__in=[a["id"] for a in data["authors"]]).values_list(
            "pk", flat=True
        )
    )
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, author_id=a["id"], position=i)
        for i, a in enumerate(data["authors"])
        if a["id"] in known
    )
    article.takeaways.all().delete()
    Takeaway.objects.bulk_create(
        Takeaway(article=article, text=t, position=i) for i, t in enumerate(data["takeaways"])
    )
    article.sources.all().delete()
    Source.objects.bulk_create(
        Source(article=article, position=i, **s) for i, s in enumerate(data["sources"])
    )
    _record(
        article, A.RESTORED, by, before=article.status, note=f"Restored revision {revision.number}."
    )
    record_revision(article=article, by=by)
    visibility_changed(article)
    return article


# Addresses.


def record_slug_change(*, article: Article, old_slug: str) -> None:
    """Keep an article's old address answering once it has been public under it."""
    if not old_slug or old_slug == article.slug:
        return
    # The new address is the article's own again, if it once was an old one.
    SlugRedirect.objects.filter(old_slug=article.slug).delete()
    if article.published_at is not None and article.published_at <= timezone.now():
        # Every old address points at the article itself: always one hop.
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})


# Corrections.


@transaction.atomic
def article_correct(
    *, article: Article, text: str, by: AbstractBaseUser, kind: str = Correction.Kind.CORRECTION
) -> Correction:
    """Add a dated correction or update; the article's "updated" time moves."""
    if not can_publish(by):
        raise PermissionDenied("Only editors may add corrections.")
    if not text.strip():
        raise ValidationError("A correction needs its text.")
    correction = Correction.objects.create(
        article=article, kind=kind, text=text.strip(), created_by=by
    )
    Article.objects.filter(pk=article.pk).update(
        updated_at=correction.published_at, version=F("version") + 1
    )
    article.refresh_from_db()
    _record(article, A.CORRECTED, by, before=article.status, note=text.strip())
    visibility_changed(article)
    return correction


# Preview links.

PREVIEW_DURATIONS = {1: "1 hour", 24: "1 day", 72: "3 days", 168: "1 week", 720: "30 days"}


def share_preview(*, article: Article, by: AbstractBaseUser, hours: int) -> PreviewLink:
    if not can_edit(by, article) and not can_publish(by):
        raise PermissionDenied("You may not share this article.")
    if hours not in PREVIEW_DURATIONS:
        raise ValidationError(
            "Choose how long the link works: " + ", ".join(PREVIEW_DURATIONS.values()) + "."
        )
    link = PreviewLink.objects.create(
        article=article, created_by=by, expires_at=timezone.now() + timedelta(hours=hours)
    )
    _record(
        article,
        A.PREVIEW_SHARED,
        by,
        before=article.status,
        note=f"Until {link.expires_at:%Y-%m-%d %H:%M} UTC",
    )
    return link


def revoke_preview(*, link: PreviewLink, by: AbstractBaseUser) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        _record(link.article, A.PREVIEW_REVOKED, by, before=link.article.status)
