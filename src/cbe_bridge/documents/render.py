"""Rendering: Jinja2 templates with print CSS to HTML, and the same HTML to PDF (WeasyPrint).

One template per document renders both formats: the HTML file is what WeasyPrint lays out,
with its CSS inlined so it stands alone in a browser. A district restyles or rewords a
document without touching code by passing a template folder (``--templates DIR``): a file
there with the name of a shipped template (``print.css``, ``transcript.html.j2`` ...) is used
instead of it, and every other file falls back to the shipped one.

Every document records what made it (package version, compute run, mapping fingerprint,
template fingerprint) in its footer and its metadata; in a PDF, the HTML ``<meta>`` tags
become document-information entries (title, author, and the custom keys below).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from cbe_bridge import __version__
from cbe_bridge.documents.wording import PolicyWords

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_FOR = {"transcript": "transcript.html.j2", "traditional": "traditional.html.j2",
                "attachment": "attachment.html.j2"}

# Custom PDF metadata keys (WeasyPrint keeps only letters and digits of a <meta> name).
META_VERSION = "cbeBridgeVersion"
META_MAPPING = "mappingFingerprint"
META_TEMPLATES = "templateFingerprint"
META_RUN = "computeRun"


def template_fingerprint(folders: list[Path]) -> str:
    """sha256 over the template files in force (an override shadows the shipped file)."""
    files: dict[str, Path] = {}
    for folder in reversed(folders):  # shipped first, overrides replace by name
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(folder).as_posix()] = path
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name].read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class Renderer:
    """Templates (shipped, optionally overridden) to HTML and PDF. One per process."""

    template_dir: Path | None = None

    @cached_property
    def folders(self) -> list[Path]:
        return ([Path(self.template_dir)] if self.template_dir else []) + [TEMPLATES]

    @cached_property
    def env(self) -> Environment:
        env = Environment(loader=ChoiceLoader([FileSystemLoader(str(f)) for f in self.folders]),
                          autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.globals["cbe_bridge_version"] = __version__
        return env

    @cached_property
    def fingerprint(self) -> str:
        return template_fingerprint(self.folders)

    @cached_property
    def _weasy(self) -> tuple[Any, Any]:
        # Imported on first PDF: WeasyPrint takes a while to load and HTML output needs none of it.
        import weasyprint
        # WeasyPrint warns per document (a batch repeats each warning thousands of times, e.g.
        # "Using fontTools instead of HarfBuzz-Subset"); keep its warnings for --debug.
        if not logging.getLogger().isEnabledFor(logging.DEBUG):
            logging.getLogger("weasyprint").setLevel(logging.ERROR)
        from weasyprint.text.fonts import FontConfiguration
        return weasyprint, FontConfiguration()

    def html(self, view: Any, words: PolicyWords) -> str:
        """The document as a standalone HTML page (print CSS inlined)."""
        template = self.env.get_template(TEMPLATE_FOR[view.kind])
        return template.render(doc=view, words=words, meta={
            META_VERSION: __version__, META_MAPPING: view.provenance.mapping_fingerprint,
            META_TEMPLATES: view.provenance.template_fingerprint, META_RUN: str(view.provenance.run_id)})

    def layout(self, html: str) -> Any:
        """WeasyPrint's laid-out document (pages), for writing or merging."""
        weasyprint, fonts = self._weasy
        return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render(font_config=fonts,
                                                                               custom_metadata=True)

    def pdf(self, html: str) -> bytes:
        """The same HTML laid out for print, with title, author and provenance metadata."""
        return self.layout(html).write_pdf(custom_metadata=True)


__all__ = ["META_MAPPING", "META_RUN", "META_TEMPLATES", "META_VERSION", "Renderer", "TEMPLATES",
           "TEMPLATE_FOR", "template_fingerprint"]
