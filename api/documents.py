"""Proposal documents: Markdown for e-mail and review, HTML for reading and printing."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import markdown
from markupsafe import Markup
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from optimizer.config import OptimizerConfig
from profiles.domain import Bid
from profiles.mapping import to_plain


def _environment(autoescape: bool) -> Environment:
    return Environment(loader=PackageLoader("api", "templates"), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html"]) if autoescape else False,
                       trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)


def render_markdown(bid: Bid | dict[str, Any], outcome: dict[str, Any], config: OptimizerConfig,
                    generated: datetime) -> str:
    env = _environment(autoescape=False)
    text = env.get_template("proposal.md.j2").render(
        bid=bid if isinstance(bid, dict) else to_plain(bid), outcome=outcome, config=config, generated=generated.strftime("%Y-%m-%d %H:%M"))
    # Collapse the blank-line runs that template control blocks leave behind.
    lines, out = text.splitlines(), []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line.rstrip())
    return "\n".join(out).strip() + "\n"


def render_html(markdown_text: str, title: str) -> str:
    # Firm-supplied text may contain markup; escape it so the page shows it as text.
    safe_source = markdown_text.replace("&", "&amp;").replace("<", "&lt;")
    body = markdown.markdown(safe_source, extensions=["tables"])
    return _environment(autoescape=True).get_template("proposal.html.j2").render(title=title, body=Markup(body))


def write_documents(bid: Bid, outcome: dict[str, Any], config: OptimizerConfig, generated: datetime,
                    directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md = render_markdown(bid, outcome, config, generated)
    md_path = directory / f"proposal-{bid.key}.md"
    html_path = directory / f"proposal-{bid.key}.html"
    md_path.write_text(md, encoding="utf-8")
    html_path.write_text(render_html(md, f"Consortium proposal: {bid.title}"), encoding="utf-8")
    return md_path, html_path
