from django import template

register = template.Library()


@register.filter
def join_names(names) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


_LD_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(value) -> str:
    """A JSON-LD script element whose content can never close the element early."""
    import json

    from django.utils.safestring import mark_safe

    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_LD_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{data}</script>')


@register.filter
def multiply(value, factor) -> int:
    return int(value) * int(factor)


@register.inclusion_tag("includes/picture.html")
def hero_picture(article, spec: str, sizes: str, *, eager: bool = False, alt: str = ""):
    """A <picture> with AVIF, WebP and JPEG sources for the article's hero image."""
    from articles import renditions

    return {
        "picture": renditions.picture_sources(article, spec),
        "article": article,
        "sizes": sizes,
        "eager": eager,
        "alt": alt,
    }
