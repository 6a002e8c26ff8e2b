"""A reader's journey, screenshots, accessibility and privacy, in the real Chromium."""

from urllib.parse import urlsplit

import pytest

from articles.models import Article

PAGE_TYPES = {
    "home": "/",
    "section": "/science/",
    "article": "/articles/the-four-day-week-after-the-trial/",
    "author": "/authors/jonas-lindqvist/",
    "search": "/search/?q=battery",
    "not-found": "/articles/no-such-story/",
}


def test_a_readers_journey(demo, page):
    page.goto(demo.url + "/")
    lead = page.locator('[aria-label="Lead story"] h2 a')
    assert lead.inner_text() == "The Quiet Return of the Repair Shop"

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Science").click()
    page.wait_for_url("**/science/")
    assert page.locator("h1").text_content() == "SCIENCE"

    page.get_by_role("link", name="Why Batteries Are Getting Boring").click()
    page.wait_for_url("**/articles/why-batteries-are-getting-boring/")
    byline = page.locator(".byline").inner_text()
    assert byline.startswith("By Siobhán Ní Bhriain and Jonas Lindqvist · ")
    assert byline.endswith(" min read") and "· ·" not in byline and "read read" not in byline
    assert page.locator("aside.takeaways h2").text_content() == "Key Takeaways"
    assert page.locator("blockquote").count() == 1

    page.locator(".byline").get_by_role("link", name="Jonas Lindqvist").click()
    page.wait_for_url("**/authors/jonas-lindqvist/")
    assert page.locator("h1").inner_text() == "Jonas Lindqvist"

    page.get_by_role("searchbox", name="Search articles").first.fill("microbes")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url("**/search/?q=microbes")
    first = page.locator(".search-result__title a").first
    assert first.inner_text() == "What the Deep-Sea Microbes Know"
    assert page.locator(".search-result mark").count() >= 1


def test_skip_link_is_the_first_stop_and_focus_is_visible(demo, page):
    page.goto(demo.url + PAGE_TYPES["article"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_every_page_type(demo, browser, screenshots, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in PAGE_TYPES.items():
        page.goto(demo.url + path)
        # Nothing overflows sideways, even on a 375 px phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        target = screenshots / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 5000
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(demo, browser, axe_source, scheme):
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    problems = []
    for name, path in PAGE_TYPES.items():
        page.goto(demo.url + path)
        page.evaluate(axe_source)
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'wcag22aa', 'best-practice']}
            })"""
        )
        assert len(result["passes"]) > 10, "axe did not really run"
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{name} ({scheme}): {violation['id']}: {targets}")
    context.close()
    assert not problems, "\n".join(problems)


def test_reading_sets_no_cookies_and_asks_no_other_origin(demo, browser):
    context = browser.new_context()
    page = context.new_page()
    origin = urlsplit(demo.url).netloc
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    for path in PAGE_TYPES.values():
        page.goto(demo.url + path)
        page.wait_for_load_state("networkidle")
    foreign = [
        url
        for url in requests
        if urlsplit(url).netloc not in ("", origin) and not url.startswith("data:")
    ]
    assert not foreign, foreign
    assert any("/media/heroes/" in url for url in requests)  # images were really loaded
    assert context.cookies() == []
    context.close()


def test_unpublished_articles_never_show_in_the_browser(demo, page):
    hidden = list(Article.objects.exclude(pk__in=Article.objects.published()))
    assert hidden
    for article in hidden:
        response = page.goto(demo.url + article.get_absolute_url())
        assert response.status == 404
    page.goto(demo.url + "/")
    text = page.content()
    for article in hidden:
        assert article.title not in text
