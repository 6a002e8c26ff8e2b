"""Property-based tests: any text either parses or is rejected with a clear message."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.formats import ParseError, archive, plaintext
from articles.formats import parse as parse_any

pytestmark = pytest.mark.django_db  # settings (time zone) are read; no queries are made

LINE = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=80).map(
    lambda s: s.replace("\n", " ")
)
PIECES = st.sampled_from(
    [
        "TECH",
        "By A and B · 12 March 2026 · 5 min read read",
        "By ",
        "· ·",
        "Key Takeaways",
        "  • a point",
        "- another",
        "Source: X — y. This article is original analysis by Z.",
        "Source: ",
        "<script>alert(1)</script>",
        "“Quoted.”",
        "+++",
        'format = "cyrus-article/1"',
        "",
        "\r\n",
        "\ufeff",
        "\x00",
        "Title",
        "A sentence. And another one.",
    ]
)


def _assert_parses_or_explains(text: str) -> None:
    try:
        record = parse_any(text)
    except ParseError as error:
        assert error.problems, "a ParseError must say what is wrong"
        for problem in error.problems:
            assert str(problem).strip()
            assert problem.line >= 0
        return
    assert record.title
    assert "<script" not in record.body


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=2000))
def test_any_text_parses_or_is_rejected_clearly(text):
    _assert_parses_or_explains(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.one_of(PIECES, LINE), min_size=0, max_size=30),
    st.sampled_from(["\n", "\n\n", "\n\n\n"]),
)
def test_article_shaped_text_parses_or_is_rejected_clearly(pieces, separator):
    _assert_parses_or_explains(separator.join(pieces))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(PIECES, LINE), max_size=15))
def test_archive_shaped_text_parses_or_is_rejected_clearly(lines):
    text = "+++\n" + 'format = "cyrus-article/1"\n' + "\n".join(lines) + "\n+++\n<p>x</p>"
    try:
        archive.parse(text)
    except ParseError as error:
        assert error.problems


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]),
        min_size=1,
        max_size=80,
    ).filter(lambda s: any(c.isalnum() for c in s)),
    names=st.lists(
        st.from_regex(r"[A-Z][a-zé]{1,8} [A-Z][a-zü]{1,8}", fullmatch=True),
        min_size=1,
        max_size=4,
        unique=True,
    ),
)
def test_a_well_formed_page_keeps_its_title_and_byline(title, names):
    byline = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    text = "\n\n".join(
        [
            "TECH",
            title,
            "A standfirst.",
            f"By {byline} · 3 April 2026 · 2 min read",
            "A paragraph of body text that ends properly.",
            "Source: Reuters — wire reporting. "
            "This article is original reporting by Cyrus Magazine.",
        ]
    )
    try:
        record = plaintext.parse(text)
    except ParseError as error:
        # Only titles the format cannot hold may be refused, and then clearly.
        assert any("title" in str(p) for p in error.problems), error.problems
        return
    assert record.title == unicodedata.normalize("NFC", title).strip()
    assert [a.name for a in record.authors] == names
