from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Magazine"

    def ready(self) -> None:
        from . import caching, cdn
        from .services import workflow

        workflow.on_visibility_change(caching.purge_article)
        workflow.on_visibility_change(cdn.purge_article)
