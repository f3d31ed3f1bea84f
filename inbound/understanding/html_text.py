"""HTML mail bodies as plain text, with quoted blocks marked the way plain-text mail marks them."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements after which the text breaks a line, so paragraphs and list items stay apart.
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "pre"}
_SKIP = {"script", "style", "head", "title", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0  # inside <blockquote>: lines get "> " so quote stripping sees them
        self.skip_depth = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "blockquote":
            self._newline()
            self.quote_depth += 1
        elif tag in _BLOCK:
            self._newline() if tag != "br" else self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self._newline()
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        text = " ".join(data.split())
        if not text:
            if data and self.lines[-1] and not self.lines[-1].endswith(" "):
                self.lines[-1] += " "
            return
        if not self.lines[-1]:
            self.lines[-1] = "> " * self.quote_depth
        elif data[:1].isspace() and not self.lines[-1].endswith(" "):
            self.lines[-1] += " "
        self.lines[-1] += text
        if data[-1:].isspace():
            self.lines[-1] += " "


def html_to_text(html: str) -> str:
    """Readable text from an HTML body; never raises."""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient, but hostile input must not escape
        pass
    lines = [line.rstrip() for line in parser.lines]
    # Keep single blank lines between paragraphs, drop runs of them.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
