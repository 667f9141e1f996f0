"""What a proposal reads of the exchange, kept per process and per database, and read again only in part.

A proposal needs the firms that can touch its bid (`optimizer.capability_index`), those firms as domain
records, and the synergy of pairs of them (their best stored match). Reading these from the database on
every request grew with the exchange. Here they are kept between requests and checked against the
database on each: firms by a version (count, newest id, latest update; a firm edited since is read
again, a firm gone means a full read), synergy by the latest match run and the profiles' own version (a
nightly run, a profile moved to another firm). The answer is the one the database gives at that moment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from optimizer.capability_index import CapabilityIndex
from optimizer.fit import RequirementFit
from profiles import repository
from profiles.domain import Firm, Requirement
from profiles.repository import capabilities as capability_store
from profiles.taxonomy.vocabulary import Vocabulary


@dataclass
class ExchangeInputs:
    firm_version: tuple[Any, ...] = ()
    firms: dict[str, Firm] = field(default_factory=dict)
    latest: datetime | None = None
    index: CapabilityIndex | None = None
    synergy_version: tuple[Any, ...] = ()
    partners: dict[str, dict[str, float]] = field(default_factory=dict)  # firm → other firm → best score
    # requirement fits by (firm key, requirement) for these firms: a new ExchangeInputs, with none, is
    # made whenever a firm changes
    fits: dict[tuple[str, Requirement], RequirementFit] = field(default_factory=dict)
    # the last synergy asked for: (firms, the partners it was read from, the answer)
    last_synergy: tuple[frozenset[str], dict[str, dict[str, float]], dict[tuple[str, str], float]] | None = None

    def kept_fits(self) -> dict[tuple[str, Requirement], RequirementFit]:
        """The fits to reuse and add to; emptied when it has grown past FITS_KEPT (many different bids)."""
        if len(self.fits) > FITS_KEPT:
            self.fits.clear()
        return self.fits

    def synergy(self, firms: set[str]) -> dict[tuple[str, str], float]:
        """Best match score of each pair of these firms that has one; the last answer is kept, since a
        bid asked again has the same candidates (tens of thousands at 100k profiles)."""
        asked = frozenset(firms)
        last = self.last_synergy
        if last is not None and last[0] == asked and last[1] is self.partners:
            return dict(last[2])
        out: dict[tuple[str, str], float] = {}
        for a in asked:
            for b, score in self.partners.get(a, {}).items():
                if a < b and b in asked:
                    out[(a, b)] = score  # a < b: already in pair order
        self.last_synergy = (asked, self.partners, out)
        return dict(out)


# About 100 MB of fits at most: a bid's requirements fitted over 100,000 firms, a few times over.
FITS_KEPT = 500_000
_kept: dict[str, ExchangeInputs] = {}
_lock = threading.Lock()


def inputs(session, vocabulary: Vocabulary) -> ExchangeInputs:
    """The exchange as the session's database holds it now (firms, capability index, synergy)."""
    url = session.get_bind().url.render_as_string(hide_password=False)
    firm_version = capability_store.firm_data_version(session)
    synergy_version = capability_store.synergy_version(session)
    with _lock:
        kept = _kept.get(url) or ExchangeInputs()
        if kept.firm_version != firm_version:
            kept = _refresh_firms(session, kept, firm_version, vocabulary)
        if kept.synergy_version != synergy_version or not kept.firm_version:
            kept.partners = _partners(session)
            kept.synergy_version = synergy_version
        _kept[url] = kept
        return kept


def _refresh_firms(session, kept: ExchangeInputs, version: tuple[Any, ...], vocabulary: Vocabulary) -> ExchangeInputs:
    count = version[0]
    firms = dict(kept.firms)
    if kept.latest is not None:
        firms.update((f.key, f) for f in capability_store.firms_updated_since(session, kept.latest))
    if kept.latest is None or len(firms) != count:  # first read, or firms gone (deleted, merged): read all
        firms = {f.key: f for f in repository.load_firms(session)}
    latest = version[2]
    index = CapabilityIndex.build(
        ((f.key, [c.phrase for c in f.capabilities]) for f in firms.values() if f.max_concurrent_bids >= 1),
        vocabulary,
    )
    return ExchangeInputs(version, firms, latest, index, kept.synergy_version, kept.partners)


def _partners(session) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for a, b, score in capability_store.firm_pair_scores(session):
        if a == b:
            continue
        for x, y in ((a, b), (b, a)):
            row = out.setdefault(x, {})
            if score > row.get(y, -1.0):
                row[y] = float(score)
    return out


def forget() -> None:
    """Drop what is kept (benchmarks measuring a first read)."""
    with _lock:
        _kept.clear()
