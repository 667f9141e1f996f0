"""Match quality on real Horizon Europe consortia (python -m bench.quality).

CORDIS lists who formed a consortium with whom. Each project in turn is a call
for partners from its coordinator; every other organisation is described only
by its *other* projects; the engine ranks them and we ask how many of the real
partners come out near the top, and how many of them the optimiser picks.

Modules: `data` reads the CORDIS files, `importer` turns them into firms,
profiles and bids through the product's own import path, `cases` builds the
leave-one-project-out queries, `methods` the engine and the baselines,
`consortium` the optimiser input, `metrics`, `tuning` and `tables` the rest.
"""
