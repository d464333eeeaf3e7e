"""Join PDFs that Chromium printed from parts of one report into one tagged PDF, as if the report
had been printed whole.

The report is printed in parts (title page, contents, each chapter, each back-matter section;
see export.split_parts), each starting a page of its own, so that a rebuild prints again only
the parts that changed and reuses the others' PDFs. Joining them means more than appending pages:

* the tagged structure: each part's structure elements go under one Document element, and the
  keys that tie a page's marked content and its link annotations to them (``/StructParents``,
  ``/StructParent``, the parent tree) are renumbered so that they stay unique;
* the ids of structure elements (``/ID``, in the ``/IDTree``): each part's are shifted past the
  previous parts' (see :func:`shift_structure_ids`);
* named destinations (one per link target; a link's ``/Dest`` names one) are gathered into one
  dictionary. A link whose target is in another part was printed as a ``kzpart:`` URI (Chromium
  drops a link to an anchor its document lacks), and becomes a link to that destination here;
* the outline (bookmarks): each part's top-level entries are chained after the previous part's;
* font subsets: every part embeds its own subsets, tagged ``AAAAAA+``, ``BAAAAA+``... from the
  start; different subsets in one file must have different tags (ISO 32000-1, 9.6.4), so each
  part's are tagged anew (see :func:`retag_font_subsets`).

The result is a :class:`pikepdf.Pdf` for export.lay_over, which draws the margins and writes it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from .errors import ExportError

# The URI scheme a part's link to another part's anchor is printed with (see export.split_parts).
PART_LINK = "kzpart:"
_ID = re.compile(rb"\(node(\d{8})\)")
_SUBSET = re.compile(rb"/([A-Z]{6})\+")


@dataclass(frozen=True)
class PrintedPart:
    """One part's print: what it depends on (``key``, see export.part_key), the PDF, its page
    count and the page (from 1) of each link target in it; ``final``: tagged, with its page
    numbers filled in (a print that only finds pages is neither)."""
    key: str
    pdf: bytes
    pages: int
    destinations: dict[str, int]
    final: bool = True


class PartStore:
    """The final prints of parts, by key: here for one print only; cache.PrintedParts keeps them
    between builds. Counts the parts it gave back (``reused``) and was given (``printed``)."""

    def __init__(self) -> None:
        self._kept: dict[str, PrintedPart] = {}
        self.printed = self.reused = 0

    def get(self, key: str) -> PrintedPart | None:
        found = self._find(key)
        self.reused += found is not None
        return found

    def put(self, printed: PrintedPart) -> None:
        self.printed += 1
        self._keep(printed)

    def keep_only(self, keys: set[str]) -> None:
        """Forget every print but these (the parts of the PDF just made)."""
        self._kept = {key: self._kept[key] for key in keys if key in self._kept}

    def _find(self, key: str) -> PrintedPart | None:
        return self._kept.get(key)

    def _keep(self, printed: PrintedPart) -> None:
        self._kept[printed.key] = printed


def renumber_structure_ids(pdf: bytes) -> bytes:
    """Chromium names the tagged-PDF structure elements after its DOM node counter
    (``/ID (node00001296)``, on table header cells), which depends on what the tab did before
    the print: a tab that printed a finding pass first, or held another part, counts further, and
    not by the same amount for every element. Numbering the ids by rank (the lowest 0, the next
    1, ...) keeps their order (the id tree stays sorted) and makes them depend on the document
    only. Same width, so offsets stay valid."""
    rank = {n: i for i, n in enumerate(sorted({int(n) for n in _ID.findall(pdf)}))}
    return _ID.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], pdf)


def structure_ids(pdf: bytes) -> int:
    """How many structure-element ids a part uses (they count from 0 once
    renumber_structure_ids has run): the next part's ids start after them."""
    return max((int(n) for n in _ID.findall(pdf)), default=-1) + 1


def shift_structure_ids(pdf: bytes, by: int) -> bytes:
    """Chromium's structure-element ids (``/ID (node00000012)``) plus ``by``: same width, so the
    cross-reference offsets stay valid."""
    if not by:
        return pdf
    return _ID.sub(lambda m: b"(node%08d)" % (int(m.group(1)) + by), pdf)


def retag_font_subsets(pdf: bytes, part: int) -> bytes:
    """The font subsets of the ``part``-th part (from 0) tagged so that no other part's share a
    tag: two letters for the part, four for the subset, in the order the part names them. Same
    width, so the cross-reference offsets stay valid."""
    tags: dict[bytes, bytes] = {}

    def retag(match: re.Match) -> bytes:
        tag = tags.setdefault(match.group(1), _letters(part, 2) + _letters(len(tags), 4))
        return b"/" + tag + b"+"

    return _SUBSET.sub(retag, pdf)


def _letters(number: int, width: int) -> bytes:
    """``number`` in base 26, A for 0, ``width`` letters."""
    letters = b""
    for _ in range(width):
        number, digit = divmod(number, 26)
        letters = bytes([65 + digit]) + letters
    return letters


def _number_tree(node) -> list:
    """A number tree's [key, value, ...] pairs, its kids' in order."""
    pairs = list(node.get("/Nums", []))
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid)
    return pairs


def _name_tree(node) -> list:
    pairs = list(node.get("/Names", []))
    for kid in node.get("/Kids", []):
        pairs += _name_tree(kid)
    return pairs


def _copy(out, value):
    """``value``, from another PDF, into ``out``: an indirect object by qpdf's foreign copy (which
    maps each object once, so pages copied before are referred to, not copied again); a direct
    array or dictionary element by element."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def _children(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    import pikepdf

    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def join(parts: list[bytes]):
    """One tagged PDF (a pikepdf.Pdf) with the pages of ``parts`` in order."""
    import pikepdf

    if not parts:
        raise ExportError("nothing to join: no part of the report was printed")
    shifted, next_id = [], 0
    for index, pdf in enumerate(parts):
        shifted.append(retag_font_subsets(shift_structure_ids(pdf, next_id), index))
        next_id += structure_ids(pdf)
    out = pikepdf.open(io.BytesIO(shifted[0]))
    if len(shifted) == 1:
        return out
    root = out.Root.StructTreeRoot
    document = root.K
    kids = _children(document)
    parent_tree = _number_tree(root.ParentTree)
    ids = _name_tree(root.IDTree) if "/IDTree" in root else []
    next_key = int(root.ParentTreeNextKey)
    dests = _entry(out, "/Dests", pikepdf.Dictionary())
    outline = _entry(out, "/Outlines", pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=0))
    for pdf in shifted[1:]:
        part = pikepdf.open(io.BytesIO(pdf))
        _append_pages(out, part, next_key)
        theirs = part.Root.StructTreeRoot
        for element in _children(theirs.K):
            copied = _copy(out, element)
            copied.P = document
            kids.append(copied)
        pairs = _number_tree(theirs.ParentTree)
        for index in range(0, len(pairs), 2):
            parent_tree += [int(pairs[index]) + next_key, _copy(out, pairs[index + 1])]
        next_key += int(theirs.ParentTreeNextKey)
        if "/IDTree" in theirs:
            names = _name_tree(theirs.IDTree)
            for index in range(0, len(names), 2):
                ids += [names[index], _copy(out, names[index + 1])]
        for name, destination in part.Root.get("/Dests", {}).items():
            dests[name] = _copy(out, destination)
        if "/Outlines" in part.Root:
            _chain_outline(out, outline, part.Root.Outlines)
    document.K = pikepdf.Array(kids)
    root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(parent_tree)))
    root.ParentTreeNextKey = next_key
    if ids:
        root.IDTree = out.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(ids)))
    _link_across_parts(out)
    return out


def _entry(out, name: str, empty):
    """The catalogue's ``name`` entry, made (``empty``) when the first part has none."""
    if name not in out.Root:
        out.Root[name] = out.make_indirect(empty)
    return out.Root[name]


def _append_pages(out, part, key_offset: int) -> None:
    """Copy ``part``'s pages to the end of ``out``, their structure keys shifted by
    ``key_offset``."""
    for page in part.pages:
        out.pages.append(page)
        copied = out.pages[-1].obj
        if "/StructParents" in copied:
            copied.StructParents = int(copied.StructParents) + key_offset
        for annotation in copied.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + key_offset


def _chain_outline(out, outline, theirs) -> None:
    """Append ``theirs``' top-level outline entries after ``outline``'s."""
    if "/First" not in theirs:
        return
    first = _copy(out, theirs.First)
    entry = first
    while True:
        entry.Parent = outline
        if "/Next" not in entry:
            break
        entry = entry.Next
    if "/Last" in outline:
        outline.Last.Next = first
        first.Prev = outline.Last
    else:
        outline.First = first
    outline.Last = entry
    outline.Count = int(outline.get("/Count", 0)) + int(theirs.get("/Count", 0))


def _link_across_parts(out) -> None:
    """A part's link to another part's anchor was printed as a ``kzpart:`` URI: point it at the
    named destination the other part wrote."""
    import pikepdf

    dests = out.Root.Dests
    for page in out.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is None or action.get("/S") != pikepdf.Name.URI:
                continue
            uri = str(action.URI)
            if not uri.startswith(PART_LINK):
                continue
            name = "/" + uri[len(PART_LINK):]
            if name not in dests:
                raise ExportError(f"a link points at #{uri[len(PART_LINK):]}, which no part of "
                                  "the report has")
            del annotation["/A"]
            annotation.Dest = pikepdf.Name(name)
