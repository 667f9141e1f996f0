"""Proposal documents: Markdown for e-mail and review, HTML for reading, PDF for sending.

HTML and PDF carry a picture of each consortium (firms and their pairwise synergy), drawn as SVG
on the server so the document needs no scripts or network to display.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import markdown
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api.actions.graphics import consortium_svg
from optimizer.config import OptimizerConfig
from profiles.domain import Bid
from profiles.mapping import to_plain


def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=PackageLoader("api", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]) if autoescape else False,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


PICTURE = "@@consortium-picture-{rank}@@"
# Markdown tables need a header row; a key/value table's is empty and is dropped from the HTML.
EMPTY_HEAD = re.compile(r"<thead>\s*<tr>\s*(?:<th></th>\s*)+</tr>\s*</thead>\s*")


def _named(words: str, hit: re.Match[str]) -> str:
    return f"{hit[1]} {words}"


def in_words(outcome: dict[str, Any], bid: dict[str, Any] | None = None) -> dict[str, Any]:
    """The outcome with requirements named by their capability phrase, not their internal key.

    A document goes to customers, who never saw keys like "fsw": members' covers and supplies, and the
    reasons of an infeasible outcome, say "friction stir welding" instead. The input is not changed."""
    out = copy.deepcopy(outcome)
    phrase = {str(q["key"]): str(q["capability"]) for q in (bid or {}).get("requirements", []) if q.get("key")}
    for p in out.get("proposals", []):
        plan = p.get("plan", {})
        own = phrase | {str(c["requirement"]): str(c["capability"]) for c in plan.get("coverage", [])}
        for m in plan.get("members", []):
            for field in ("covers", "supplies"):
                m[field] = [own.get(str(k), str(k)) for k in m.get(field) or []]
    for r in out.get("reasons", []):
        for key, words in phrase.items():
            # the phrase goes in through a function: it is text, never a replacement pattern
            r["message"] = re.sub(
                rf"\b(requirement|capacity for) {re.escape(key)}\b",
                partial(_named, words),
                str(r.get("message", "")),
            )
    return out


def render_markdown(
    bid: Bid | dict[str, Any],
    outcome: dict[str, Any],
    config: OptimizerConfig,
    generated: datetime,
    pictures: bool = False,
    audience: str | None = None,
) -> str:
    """With `pictures`, a placeholder paragraph marks where render_html puts each consortium's picture."""
    env = _environment(autoescape=False)
    plain = bid if isinstance(bid, dict) else to_plain(bid)
    text = env.get_template("proposal.md.j2").render(
        bid=plain,
        outcome=in_words(outcome, plain),
        config=config,
        generated=generated.strftime("%Y-%m-%d %H:%M"),
        picture=PICTURE if pictures else None,
        audience=audience,
    )
    # Collapse the blank-line runs that template control blocks leave behind.
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line.rstrip())
    return "\n".join(out).strip() + "\n"


def consortium_picture(plan: dict[str, Any]) -> str:
    """The SVG picture of one (already redacted) plan, requirements named in words; "" without members."""
    if not plan.get("members"):
        return ""
    worded = in_words({"proposals": [{"plan": plan}]})["proposals"][0]["plan"]
    return consortium_svg(worded["members"], worded.get("synergy", []))


def consortium_pictures(outcome: dict[str, Any]) -> dict[int, str]:
    """An SVG picture per feasible proposal, by rank, from the (already redacted) plan."""
    return {
        p["rank"]: consortium_picture(p["plan"])
        for p in outcome.get("proposals", [])
        if p.get("plan", {}).get("members")
    }


def render_html(markdown_text: str, title: str, pictures: dict[int, str] | None = None) -> str:
    # Firm-supplied text may contain markup; escape it so the page shows it as text.
    safe_source = markdown_text.replace("&", "&amp;").replace("<", "&lt;")
    body = EMPTY_HEAD.sub("", markdown.markdown(safe_source, extensions=["tables"]))
    for rank, svg in (pictures or {}).items():
        body = body.replace(f"<p>{PICTURE.format(rank=rank)}</p>", f'<figure class="consortium">{svg}</figure>')
    return _environment(autoescape=True).get_template("proposal.html.j2").render(title=title, body=Markup(body))


def render_pdf(html: str) -> bytes:
    """The HTML document as PDF (A4), laid out by WeasyPrint; no network access for resources."""
    from weasyprint import HTML  # imported here: loading its fonts and Pango takes a second

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"documents load no external resources ({url})")

    return HTML(string=html, url_fetcher=no_fetch).write_pdf()


def write_documents(
    bid: Bid, outcome: dict[str, Any], config: OptimizerConfig, generated: datetime, directory: Path, pdf: bool = False
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md = render_markdown(bid, outcome, config, generated)
    md_path = directory / f"proposal-{bid.key}.md"
    html_path = directory / f"proposal-{bid.key}.html"
    md_path.write_text(md, encoding="utf-8")
    html = render_markdown(bid, outcome, config, generated, pictures=True)
    html = render_html(html, f"Consortium proposal: {bid.title}", consortium_pictures(outcome))
    html_path.write_text(html, encoding="utf-8")
    if not pdf:
        return [md_path, html_path]
    pdf_path = directory / f"proposal-{bid.key}.pdf"
    pdf_path.write_bytes(render_pdf(html))
    return [md_path, html_path, pdf_path]
