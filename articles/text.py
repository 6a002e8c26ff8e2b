"""Body HTML: the allowlist, sanitising, splitting into blocks and counting words."""

import html as html_lib
import math
import re
from html.parser import HTMLParser

import nh3
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

# What an editor can write in the body, and so all the sanitiser lets through.
BODY_EXTENSIONS = {
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
}

# The sanitiser's allowlist is derived from the editor's extensions, so the two agree;
# links always get a safe rel, whatever was typed.
_allowlist = allowlist_from_extensions(expand_extensions(BODY_EXTENSIONS))
_allowlist["attributes"] = {
    tag: attrs - {"rel", "data-type", "type"} for tag, attrs in _allowlist["attributes"].items()
}
_allowlist["link_rel"] = "noopener noreferrer"
_cleaner = nh3.Cleaner(**_allowlist, strip_comments=True)

_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>|<br\s*/?>", re.I)
_VOID = {"br", "hr", "img", "wbr"}
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def sanitize_body(html: str) -> str:
    """Return ``html`` with everything outside the body allowlist removed."""
    cleaned = _cleaner.clean(html or "").strip()
    # ProseMirror saves an empty document as one empty paragraph.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


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


def split_blocks(html: str) -> list[str]:
    """Split sanitised body HTML into its top-level blocks (paragraphs, headings, ...)."""
    parser = _BlockSplitter()
    parser.feed(sanitize_body(html))
    parser.close()
    parser._close_if_top()
    return parser.blocks


def plain_text(html: str) -> str:
    """The body's words without markup."""
    spaced = _BLOCK_END.sub(" ", html or "")
    return " ".join(html_lib.unescape(nh3.clean(spaced, tags=set())).split())


def count_words(html: str) -> int:
    return len(_WORD.findall(plain_text(html)))


def reading_minutes(words: int, words_per_minute: int) -> int:
    """Whole minutes to read ``words``, never less than one."""
    return max(1, math.ceil(words / words_per_minute))


def join_names(names) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
