"""Safe XML parsing shared by the JATS and PubMed loaders."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from rag.loaders.base import LoadError, clean_space

# No network, no entity expansion: publisher XML is data, not instructions.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def parse(path: Path) -> etree._Element:
    try:
        return etree.parse(str(path), _PARSER).getroot()
    except etree.XMLSyntaxError as exc:
        raise LoadError(f"malformed XML: {exc}") from exc


def parse_bytes(data: bytes, what: str = "XML") -> etree._Element:
    """Parse a downloaded body with the same safe parser (no DTD, no network, no entity expansion)."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise LoadError(f"malformed {what}: {exc}") from exc


def text_of(node: etree._Element | None) -> str:
    """All text inside a node, with whitespace folded and named entities ('&ndash;', '&beta;') as characters."""
    if node is None:
        return ""
    return clean_space("".join(_texts(node)))


def raw_text(node: etree._Element) -> str:
    """All text inside a node with entities spelled as characters, whitespace left as it is."""
    return "".join(_texts(node))


def _texts(node: etree._Element) -> Iterator[str]:
    # Entities stay unresolved at parse time (no DTD is fetched or trusted), so HTML's named entities that JATS
    # uses arrive as entity nodes: spell them as characters here. Comments and processing instructions are skipped.
    if isinstance(node, etree._Entity):
        yield html.unescape(node.text or "")
    elif isinstance(node.tag, str):
        yield node.text or ""
        for child in node:
            yield from _texts(child)
            yield child.tail or ""


def local(tag: object) -> str:
    """Tag name without namespace (comments and processing instructions give '')."""
    return tag.split("}")[-1] if isinstance(tag, str) else ""
