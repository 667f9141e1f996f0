"""python -m bench.quality.crosslingual: matching across languages on a set written for the project.

`bench/quality/crosslingual_pairs.json` holds pairs of complementary profiles for one
specific capability, one side in Danish, Norwegian, Swedish or German and the other in
English, in groups of near misses (three kinds of welding, several of moulding, of
surface treatment, …; see CROSSLINGUAL.md). Every profile in turn is the query; the
candidates are all profiles on the other side (every English profile for a foreign
query, every foreign profile, all languages, for an English one), so the near misses
of its group are always among them. Reported: how often the right counterpart ranks
first (top-1) and its mean reciprocal rank, per language and direction, with 95%
bootstrap intervals over queries.

Methods: the engine as it scores now (default weights, multilingual meaning included),
scored the way a matching run scores (the batch arrays, quantised vectors); the engine
with the weights of the previous release (no meaning component); TF-IDF cosine alone;
the capability vocabulary alone; multilingual-e5-small cosine alone; and three sentinels
that read no words: a seeded random order, "closest in length", and "profile types only"
(an offer for a request: the counterpart component alone, ties in seeded order). Blocking: a real
matching run over all profiles, and how often the right counterpart is among the
candidate pairs it scores.
A full run writes the section "Cross-lingual matching" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

import numpy as np

from bench.report import write_section
from matching.batch import encode, score_arrays, vector_cosines
from matching.components import REGISTRY, PairContext
from matching.config import MatchingConfig
from matching.features import ProfileFeatures, build_features
from matching.incremental import Snapshot, update
from matching.scorer import text_similarities
from matching.semantic import SemanticModel, SemanticUnavailable
from matching.text_model import TfidfTextModel
from matching.vectors import VectorCache, vectors_for
from profiles.domain import Firm, Profile, ProfileStatus, ProfileType
from profiles.settings import Settings
from profiles.taxonomy.vocabulary import load_vocabulary

from .metrics import interval

SCRIPT = "python -m bench.quality.crosslingual"
DATA = Path(__file__).with_name("crosslingual_pairs.json")
COUNTRY = {"da": "DK", "no": "NO", "sv": "SE", "de": "DE", "en": "GB"}
SEED = 20261206
ENGINE = "engine (default weights)"
# The weights before the multilingual component (88 pairs are too few to tune on and report on).
PREVIOUS = {
    "text": 0.30,
    "capabilities": 0.20,
    "complementarity": 0.25,
    "sector": 0.10,
    "geography": 0.05,
    "size": 0.05,
    "language": 0.05,
}


@dataclass(frozen=True)
class Side:
    key: str
    pair: str
    language: str
    english: bool
    profile: Profile


def load_sides(path: Path = DATA) -> list[Side]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    sides = []
    for pair in doc["pairs"]:
        for which in ("foreign", "english"):
            raw = pair[which]
            language = "en" if which == "english" else pair["language"]
            key = f"{pair['id']}.{which}"
            profile = Profile(
                key=key,
                firm_key=key,
                type=ProfileType(raw["type"]),
                title=raw["title"],
                summary=raw["summary"],
                description=raw["description"],
                keywords=tuple(raw["keywords"]),
                capabilities=tuple(raw["keywords"]),
                language=language,
                status=ProfileStatus.PUBLISHED,
            )
            sides.append(Side(key, pair["id"], pair["language"], which == "english", profile))
    return sides


def features_of(sides: list[Side]) -> dict[str, ProfileFeatures]:
    vocabulary = load_vocabulary()
    return {
        s.key: build_features(
            s.profile, Firm(key=s.key, name=s.key, country=COUNTRY[s.profile.language or "en"]), vocabulary
        )
        for s in sides
    }


def rank_of(scores: dict[str, float], right: str, seed: str) -> int:
    rng = random.Random(seed)
    order = sorted(scores, key=lambda k: (-scores[k], rng.random()))
    return order.index(right) + 1


def candidate_recall(sides: list[Side], feats: dict[str, ProfileFeatures], config: MatchingConfig) -> float:
    """Share of queries whose right counterpart is among the pairs a real matching run scores."""
    keys = sorted(feats)
    snapshot = Snapshot(keys, keys, [""] * len(keys))
    result = update(None, snapshot, lambda ks: [feats[k] for k in ks], config, load_vocabulary(), run_id=0)
    pairs = {
        (keys[a], keys[b]) for a, b in zip(result.state.pair_lo.tolist(), result.state.pair_hi.tolist(), strict=True)
    }
    partner = {s.key: next(o.key for o in sides if o.pair == s.pair and o.key != s.key) for s in sides}
    return fmean(float(tuple(sorted((k, partner[k]))) in pairs) for k in partner)


def evaluate(sides: list[Side], semantic: SemanticModel | None) -> tuple[dict[str, dict[str, list[int]]], dict]:
    """Rank of the right counterpart for every query, per method; and the cost and blocking figures."""
    feats = features_of(sides)
    keys = [s.key for s in sides]
    index = {k: i for i, k in enumerate(keys)}
    config, vocabulary = MatchingConfig(), load_vocabulary()
    tfidf = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max)
    matrix = tfidf.fit_transform([feats[k].text for k in keys])
    arrays = encode([feats[k] for k in keys], vocabulary)
    vectors, extra = None, {}
    if semantic is not None:
        # through the engine's stage and the product's vector cache, as a matching run gets them
        embedded = vectors_for([feats[k].passage for k in keys], cache=VectorCache(Settings().vector_cache_dir()))
        vectors = embedded.vectors.values if embedded.vectors is not None else None
        extra["candidate_recall"] = candidate_recall(sides, feats, config)
    ranks: dict[str, dict[str, list[int]]] = {}
    for query in sides:
        pool = [s for s in sides if s.english != query.english]
        right = next(s.key for s in pool if s.pair == query.pair)
        left = np.full(len(pool), index[query.key])
        other = np.array([index[s.key] for s in pool])
        sims = text_similarities(matrix, list(zip(left.tolist(), other.tolist(), strict=True)))
        meaning = vector_cosines(vectors, left, other) if vectors is not None else None
        per_method: dict[str, dict[str, float]] = {}
        if meaning is not None:
            engine, _ = score_arrays(arrays, left, other, sims, config.weights, config.geography_scale_km, meaning)
            per_method[ENGINE] = dict(zip((s.key for s in pool), engine.tolist(), strict=True))
        previous, _ = score_arrays(arrays, left, other, sims, PREVIOUS, config.geography_scale_km)
        per_method["engine, previous weights (no meaning component)"] = dict(
            zip((s.key for s in pool), previous.tolist(), strict=True)
        )
        per_method["TF-IDF cosine alone"] = dict(zip((s.key for s in pool), sims.tolist(), strict=True))
        ctx = PairContext(vocabulary, config.geography_scale_km)
        caps = {s.key: REGISTRY["capabilities"].compare(feats[query.key], feats[s.key], ctx) for s in pool}
        per_method["capability vocabulary alone"] = {k: (c.value if c is not None else 0.0) for k, c in caps.items()}
        if meaning is not None:
            per_method["multilingual-e5-small cosine alone"] = dict(
                zip((s.key for s in pool), meaning.tolist(), strict=True)
            )
        rng = random.Random(f"{SEED}:{query.key}")
        per_method["sentinel: random order"] = {s.key: rng.random() for s in pool}
        # reads only the profile types (the counterpart component): an offer for a request, seeded order otherwise
        per_method["sentinel: profile types only"] = {
            s.key: float(s.profile.type.is_offer != query.profile.type.is_offer) + 0.5 * rng.random() for s in pool
        }
        length = len(query.profile.text)
        per_method["sentinel: closest in length"] = {s.key: -abs(len(s.profile.text) - length) for s in pool}
        group = f"{query.language} {'en→' + query.language if query.english else query.language + '→en'}"
        for method, scores in per_method.items():
            ranks.setdefault(method, {}).setdefault(group, []).append(rank_of(scores, right, f"{SEED}:{query.key}"))
    return ranks, extra


def table(ranks: dict[str, dict[str, list[int]]]) -> str:
    groups = sorted({g for by_group in ranks.values() for g in by_group})
    out = [
        "| method | queries | top-1 [95% interval] | MRR [95% interval] | "
        + " | ".join(f"top-1 {g}" for g in groups)
        + " |",
        "|---|---:|---:|---:|" + "---:|" * len(groups),
    ]
    for method, by_group in ranks.items():
        every = [r for g in groups for r in by_group.get(g, [])]
        top1, mrr = interval([float(r == 1) for r in every]), interval([1.0 / r for r in every])
        cells = [f"{fmean(float(r == 1) for r in by_group[g]):.2f}" for g in groups]
        out.append(
            f"| {method} | {len(every)} | {top1.mean:.3f} [{top1.low:.3f}, {top1.high:.3f}] | "
            f"{mrr.mean:.3f} [{mrr.low:.3f}, {mrr.high:.3f}] | " + " | ".join(cells) + " |"
        )
    return "\n".join(out)


def differences(ranks: dict[str, dict[str, list[int]]], base: str) -> str:
    """Each method against `base`, query by query (a paired bootstrap over queries)."""
    groups = sorted(ranks[base])
    ref = [r for g in groups for r in ranks[base][g]]
    out = [
        f"Paired differences against {base} (an interval containing 0: this set cannot tell them apart):",
        "",
        "| method | Δ top-1 [95% interval] | Δ MRR [95% interval] |",
        "|---|---:|---:|",
    ]
    for method, by_group in ranks.items():
        if method == base or method.startswith("sentinel"):
            continue
        mine = [r for g in groups for r in by_group[g]]
        top1 = interval([float(a == 1) - float(b == 1) for a, b in zip(mine, ref, strict=True)])
        mrr = interval([1.0 / a - 1.0 / b for a, b in zip(mine, ref, strict=True)])
        out.append(
            f"| {method} | {top1.mean:+.3f} [{top1.low:+.3f}, {top1.high:+.3f}] | "
            f"{mrr.mean:+.3f} [{mrr.low:+.3f}, {mrr.high:+.3f}] |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=SCRIPT, description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=None, help="threads of the multilingual model")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    sides = load_sides()
    try:
        semantic: SemanticModel | None = SemanticModel(threads=args.threads).fit()
    except SemanticUnavailable as exc:
        print(f"[crosslingual] {exc}; the multilingual row is left out", file=sys.stderr)
        semantic = None
    ranks, cost = evaluate(sides, semantic)
    pairs = len(sides) // 2
    lines = [
        f"{pairs} pairs written for the project (`bench/quality/crosslingual_pairs.json`, see "
        "`bench/quality/CROSSLINGUAL.md`): one side in Danish, Norwegian, Swedish or German, the other in English, "
        "for one specific capability, in groups of near misses. Each of the "
        f"{len(sides)} profiles is a query against every profile on the other side; the right counterpart should "
        "rank first. Intervals: percentile bootstrap over queries (2,000 resamples, seeded). Column groups: "
        "the foreign language and the direction of the query.",
        "",
        table(ranks),
        "",
        differences(ranks, "engine, previous weights (no meaning component)"),
        "",
    ]
    if "candidate_recall" in cost:
        lines.append(
            f"Blocking: in a matching run over all {len(sides)} profiles (default settings) the right "
            f"counterpart is among the scored candidate pairs for {100 * cost['candidate_recall']:.1f}% "
            "of the queries."
        )
        lines.append("")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("Cross-lingual matching", SCRIPT, body)


if __name__ == "__main__":
    main()
