"""In the real browser: no Content-Security-Policy violation on any page type or in the
editor, and no injected script runs."""

from django.contrib.auth.models import User

from articles.models import Article

from .test_reading import PAGE_TYPES

# Runs before any page script, outside the page's CSP: it records every violation.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
"""


def _violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__csp")


def test_no_csp_violations_on_any_page_type(demo, browser):
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    found = {}
    for name, path in PAGE_TYPES.items():
        for _ in range(2):  # rendered, then from the page cache with a fresh header
            response = page.goto(demo.url + path)
            assert "Content-Security-Policy" in {h.title() for h in response.headers}
            if violations := _violations(page):
                found[name] = violations
    context.close()
    assert not found, found


def test_no_csp_violations_in_the_admin_and_its_editor(demo, browser):
    User.objects.create_superuser("chief", password="a-long-test-password")
    article = Article.objects.published().first()
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(demo.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    found = {}
    for path in (
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{article.pk}/revisions/",
    ):
        page.goto(demo.url + path)
        if violations := _violations(page):
            found[path] = violations
    # The body editor really works under the policy: its toolbar is there and typing edits.
    page.goto(demo.url + f"/admin/articles/article/{article.pk}/change/")
    editor = page.locator('.ProseMirror[contenteditable="true"]').first
    editor.wait_for(timeout=10_000)
    editor.click()
    page.keyboard.type(" Typed under CSP.")
    assert "Typed under CSP." in editor.inner_text()
    if violations := _violations(page):
        found["editor typing"] = violations
    context.close()
    assert not found, found


def test_injected_scripts_never_run(demo, browser):
    payloads = [
        "<script>window.__pwned=1</script>",
        "<img src=x onerror=window.__pwned=2>",
        "<svg onload=window.__pwned=3>",
        '"><script>window.__pwned=4</script>',
    ]
    article = Article.objects.published().first()
    Article.objects.filter(pk=article.pk).update(
        title=payloads[0], standfirst=payloads[1], hero_alt=payloads[3]
    )
    article.refresh_from_db()
    article.body = "".join(f"<p>{p}</p>" + p for p in payloads)
    article.save()
    article.takeaways.create(text=payloads[2], position=9)
    from articles import caching

    caching.purge_all()
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (
        article.get_absolute_url(),
        "/",
        "/search/?q=%3Cscript%3Ewindow.__pwned%3D9%3C/script%3E",
    ):
        page.goto(demo.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
    assert page.locator("h1").first.text_content()  # the page did render
    assert not dialogs
    context.close()
