"""Body HTML: the allowlist, sanitising, splitting into blocks and counting words."""

import html as html_lib
import math
import re

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


# A tag of sanitised HTML (html5ever's serialiser writes well-formed markup: text has < and
# > escaped, attribute values are double-quoted and may hold a literal >).
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"\']|"[^"]*"|\'[^\']*\')*>')


def _block_ends(clean: str):
    """Where each top-level block (paragraph, heading, ...) of sanitised HTML ends.

    One pass over the tags with a depth count: a block ends where the depth returns to
    zero, or at a top-level void element (<hr>, <br>)."""
    depth = 0
    for tag in _TAG.finditer(clean):
        closing, name = tag.group(1), tag.group(2).lower()
        if closing:
            if name in _VOID:
                continue
            depth = max(0, depth - 1)
        elif name not in _VOID and not tag.group(0).endswith("/>"):
            depth += 1
            continue
        if depth == 0:
            yield tag.end()


def split_blocks(html: str) -> list[str]:
    """Split body HTML, sanitised, into its top-level blocks; whitespace between blocks
    is dropped. tests/test_text.py checks it against Python's HTML parser."""
    clean = sanitize_body(html)
    blocks, start = [], 0
    for end in [*_block_ends(clean), len(clean)]:
        if block := clean[start:end].strip():
            blocks.append(block)
        start = end
    return blocks


def cut_blocks(clean: str, count: int) -> tuple[str, str]:
    """Sanitised body HTML (as an article stores it) cut after its first ``count``
    top-level blocks: the HTML before and after, as ``split_blocks`` would split it
    (tests/test_text.py checks this). It reads the tags only as far as the cut, and keeps
    the HTML as it is on either side."""
    clean = clean.strip()
    if count <= 0:
        return "", clean
    for blocks, end in enumerate(_block_ends(clean), start=1):
        if blocks == count:
            return clean[:end].strip(), clean[end:].strip()
    return clean, ""


def plain_text(html: str) -> str:
    """The body's words without markup."""
    spaced = _BLOCK_END.sub(" ", html or "")
    return " ".join(html_lib.unescape(nh3.clean(spaced, tags=set())).split())


def plain_pieces(html: str):
    """``plain_text`` of a sanitised body, block by block: ``" ".join(plain_pieces(h))``
    is ``plain_text(h)``, read only as far as the caller goes (a search excerpt needs the
    first few blocks, not the whole body). Sanitised HTML writes < and > in text as
    entities, so dropping its tags leaves the text (tests/test_text.py checks this)."""
    last = 0
    for end in _BLOCK_END.finditer(html or ""):
        if words := html_lib.unescape(_TAG.sub("", html[last : end.start()])).split():
            yield " ".join(words)
        last = end.end()
    if words := html_lib.unescape(_TAG.sub("", (html or "")[last:])).split():
        yield " ".join(words)


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
