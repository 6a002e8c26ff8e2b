"""Splitting the body into blocks: the fast splitter agrees with Python's HTML parser."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from articles.text import _VOID, cut_blocks, sanitize_body, split_blocks


class _BlockSplitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._depth = 0

    def _emit(self, text: str) -> None:
        self._current.append(text)

    def _close_if_top(self) -> None:
        if self._depth == 0 and self._current:
            block = "".join(self._current).strip()
            if block:
                self.blocks.append(block)
            self._current = []

    def handle_starttag(self, tag, attrs):
        self._emit(self.get_starttag_text())
        if tag not in _VOID:
            self._depth += 1
        else:
            self._close_if_top()

    def handle_startendtag(self, tag, attrs):
        self._emit(self.get_starttag_text())
        self._close_if_top()

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        self._emit(f"</{tag}>")
        self._depth = max(0, self._depth - 1)
        self._close_if_top()

    def handle_data(self, data):
        if self._depth == 0 and not data.strip():
            return
        self._emit(data)

    def handle_entityref(self, name):
        self._emit(f"&{name};")

    def handle_charref(self, name):
        self._emit(f"&#{name};")


def reference_split(html: str) -> list[str]:
    """The splitter as it was written first, on Python's HTML parser: slower, plainly right."""
    parser = _BlockSplitter()
    parser.feed(sanitize_body(html))
    parser.close()
    parser._close_if_top()
    return parser.blocks


INLINE = st.sampled_from(
    [
        "word",
        "two words",
        "<strong>bold</strong>",
        "<em>it</em>",
        '<a href="https://example.org/?a=1&amp;b=2">link</a>',
        '<a href="https://example.org/>odd">gt in href</a>',
        "&amp; &lt;tag&gt; &#8212; &quot;",
        "<br>",
        "café – “quoted”",
        " ",
        "\n",
    ]
)
TEXT = st.lists(INLINE, min_size=0, max_size=6).map("".join)


def _block(text_of):
    return st.one_of(
        TEXT.map(lambda t: f"<p>{t}</p>"),
        TEXT.map(lambda t: f"<h2>{t}</h2>"),
        TEXT.map(lambda t: f"<h3>{t}</h3>"),
        st.lists(TEXT, min_size=1, max_size=3).map(
            lambda ps: "<blockquote>" + "".join(f"<p>{p}</p>" for p in ps) + "</blockquote>"
        ),
        st.lists(TEXT, min_size=1, max_size=3).map(
            lambda items: "<ul>" + "".join(f"<li><p>{i}</p></li>" for i in items) + "</ul>"
        ),
        st.lists(TEXT, min_size=1, max_size=3).map(
            lambda items: "<ol>" + "".join(f"<li>{i}</li>" for i in items) + "</ol>"
        ),
        st.just("<hr>"),
        st.just("<br>"),
        TEXT,  # loose text between blocks
    )


BODY = st.lists(_block(TEXT), max_size=8).map(lambda blocks: "\n".join(blocks))


def _squeezed(blocks: list[str]) -> list[str]:
    return ["".join(block.split()) for block in blocks]


@settings(max_examples=400, deadline=None)
@given(BODY)
def test_blocks_match_the_html_parser(body):
    blocks = split_blocks(body)
    # The same blocks, character for character but for whitespace: the parser dropped the
    # spaces around an entity in loose top-level text ("a &amp; b" became "a&amp;b").
    assert _squeezed(blocks) == _squeezed(reference_split(body))
    if "&" not in body:
        assert blocks == reference_split(body)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/ap h2&;\"'=x\n")), max_size=60))
def test_any_markup_splits_as_the_html_parser_does_once_sanitised(raw):
    assert _squeezed(split_blocks(raw)) == _squeezed(reference_split(raw))


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(BODY, st.text(alphabet=st.sampled_from(list("<>/ap h2&;\"'=x\n")))),
    st.integers(-1, 10),
)
def test_cutting_after_some_blocks_splits_the_body_as_split_blocks_does(body, count):
    """The article page cuts the body where the Key Takeaways box goes: the HTML before the
    cut holds the body's first ``count`` blocks and the HTML after it the rest."""
    before, after = cut_blocks(sanitize_body(body), count)  # as stored: sanitised
    blocks = split_blocks(body)
    cut = max(0, min(count, len(blocks)))
    assert "".join(before.split()) == "".join("".join(blocks[:cut]).split())
    assert "".join(after.split()) == "".join("".join(blocks[cut:]).split())
    assert body.strip() == "" or sanitize_body(body).startswith(before)


def test_a_cut_keeps_the_html_on_either_side():
    body = "<h2>Inside</h2><p>One<br>two</p><hr><p>end</p>"
    assert cut_blocks(body, 1) == ("<h2>Inside</h2>", "<p>One<br>two</p><hr><p>end</p>")
    assert cut_blocks(body, 3) == ("<h2>Inside</h2><p>One<br>two</p><hr>", "<p>end</p>")
    assert cut_blocks(body, 9) == (body, "") == cut_blocks(body, 4)
    assert cut_blocks(body, 0) == ("", body)


def test_loose_text_keeps_its_spaces():
    assert split_blocks("a &amp; b<p>c</p>") == ["a &amp; b<p>c</p>"]


def test_a_body_with_every_kind_of_block():
    body = (
        "<h2>Inside</h2><p>One <strong>two</strong><br>three</p>\n\n<blockquote><p>Q</p>"
        "</blockquote><ul><li><p>a</p></li><li><p>b</p></li></ul><hr><p>end</p>"
    )
    assert split_blocks(body) == [
        "<h2>Inside</h2>",
        "<p>One <strong>two</strong><br>three</p>",
        "<blockquote><p>Q</p></blockquote>",
        "<ul><li><p>a</p></li><li><p>b</p></li></ul>",
        "<hr>",
        "<p>end</p>",
    ]
    assert split_blocks("") == [] == split_blocks("   ")


@settings(max_examples=400, deadline=None)
@given(BODY)
def test_plain_pieces_of_a_stored_body_make_its_plain_text(body):
    """Bodies are stored sanitised; read block by block, their text is plain_text's."""
    from articles.text import plain_pieces, plain_text

    stored = sanitize_body(body)
    assert " ".join(plain_pieces(stored)) == plain_text(stored)


WORDY = st.lists(
    st.sampled_from(["climate", "battery", "Batteries", "grid", "the", "a", "<b>x</b>", "&amp;"]),
    max_size=40,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(WORDY.map(lambda t: f"<p>{t}</p>"), max_size=12).map("".join),
    WORDY,
    st.sampled_from(["climate", "battery grid", "batteries", "nothing", "grid climate", ""]),
    st.sampled_from([40, 120, 260]),
)
def test_a_search_excerpt_is_the_highlighted_whole_text_cut_short(body, standfirst, query, length):
    """search.excerpt reads the body only as far as the excerpt needs, and gives what
    highlighting the standfirst and the whole body's text gives."""
    from articles.search import excerpt, highlight
    from articles.text import plain_text

    stored = sanitize_body(body)
    whole = highlight(f"{standfirst} {plain_text(stored)}", query, length=length)
    assert excerpt(standfirst, stored, query, length=length) == whole


def _highlight_piece_by_piece(value: str, query: str) -> str:
    """What search.highlight gives, worked out the plain way: find the words in the text,
    then escape each piece between them and each word found."""
    import re

    from markupsafe import escape

    from articles.search import terms

    stems = sorted({re.escape(w.lower()[:5]) for w in terms(query) if w}, key=len, reverse=True)
    if not stems:
        return str(escape(value))
    pattern = re.compile(r"\b(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(value):
        out += [str(escape(value[last : match.start()])), f"<mark>{escape(match[0])}</mark>"]
        last = match.end()
    return "".join([*out, str(escape(value[last:]))])


# Text full of what escaping turns into entities, next to words an entity holds (amp, lt,
# gt, 39, 34) and words with apostrophes.
ESCAPABLE = st.lists(
    st.sampled_from(
        [
            *("&", "<", ">", "'", '"', "#", ";", " ", "amp", "lt", "gt", "39", "34", "x27"),
            *("quot", "don't", "Don", "rock'n", "Glacier", "glaciers", "R&D", "&amp;", "é"),
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(
    ESCAPABLE,
    st.sampled_from(["amp", "lt gt", "39", "34 x27", "quot", "don't", "rock'n roll", "glacier"]),
)
def test_highlighting_escaped_text_marks_what_the_text_holds(value, query):
    """highlight marks the escaped text in one pass: it marks the words the text holds,
    never the letters of an entity that escaping wrote (&amp;, &#39;)."""
    from articles.search import highlight

    assert highlight(value, query) == _highlight_piece_by_piece(value, query)
