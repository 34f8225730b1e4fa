"""Small helpers for the documents tests: PDF text and metadata, HTML rows."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pypdf


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as pypdf extracts it (one table row per line)."""
    return [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]


def pdf_metadata(path: Path) -> dict[str, str]:
    return {k: str(v) for k, v in (pypdf.PdfReader(str(path)).metadata or {}).items()}


def html_rows(html: str, xpath: str) -> list[list[str]]:
    """Cell texts of the rows an XPath selects, whitespace collapsed."""
    doc = lxml.html.fromstring(html)
    return [[" ".join(td.text_content().split()) for td in tr.xpath("./td")] for tr in doc.xpath(xpath)]


def has_class(name: str) -> str:
    """XPath test for an element carrying a CSS class."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
