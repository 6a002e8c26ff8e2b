"""Background work, through Django's tasks framework (settings.TASKS)."""

from django.tasks import task

from . import renditions
from .models import Article


@task()
def make_article_renditions(article_id: int) -> bool:
    """Make the hero image renditions of one article, if they are missing or stale."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return False
    return renditions.refresh(article)
