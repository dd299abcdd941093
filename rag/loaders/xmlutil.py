"""Safe XML parsing shared by the JATS and PubMed loaders."""

from __future__ import annotations

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


def text_of(node: etree._Element | None) -> str:
    """All text inside a node, with whitespace folded."""
    if node is None:
        return ""
    return clean_space("".join(node.itertext()))


def local(tag: object) -> str:
    """Tag name without namespace (comments and processing instructions give '')."""
    return tag.split("}")[-1] if isinstance(tag, str) else ""
