"""Fixtures of the browser journeys: the demo exchange behind a running `partnermatch serve`, one Chromium per
module and a fresh tab per test. A module adjusts them by overriding `seed_matches` (score the demo data or
not), `before_serving` (change the database before the server starts), `workspace` (what its tests get, after
any setup through the server) or `page_options` (the arguments of webkit.open_page)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from webkit import CHROMIUM, Served, open_page, serve_demo


@pytest.fixture(scope="module")
def seed_matches() -> bool:
    return True


@pytest.fixture(scope="module")
def before_serving() -> Callable[[str], None] | None:
    return None


@pytest.fixture(scope="module")
def served(request, tmp_path_factory, seed_matches, before_serving) -> Iterator[Served]:
    """The demo exchange as of the module's TODAY, served from a directory of the module's own."""
    root = tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])
    with serve_demo(root, request.module.TODAY, match=seed_matches, before_serving=before_serving) as demo:
        yield demo


@pytest.fixture(scope="module")
def workspace(served: Served):
    return served.base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page_options() -> dict[str, Any]:
    return {}


@pytest.fixture
def page(browser, served: Served, workspace, page_options: dict[str, Any]):
    # workspace: whatever the module sets up through the server is done before the first tab opens.
    with open_page(browser, served.base, **page_options) as tab:
        yield tab
