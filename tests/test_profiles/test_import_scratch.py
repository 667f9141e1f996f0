"""The scratch file of a streamed import: keys' first rows and stored references, looked up a slice at a time,
and a forked reader that uses the file through its own connection."""

from __future__ import annotations

import multiprocessing

from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.import_scratch import LOOKUP_SLICE, ImportScratch, chunks


@given(st.lists(st.text(min_size=1, max_size=6), max_size=60), st.integers(1, 7))
def test_chunks_keep_every_value_in_order(values, size):
    parts = list(chunks(values, size))
    assert [v for part in parts for v in part] == values
    assert all(0 < len(part) <= size for part in parts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=4), max_size=80))
def test_first_uses_are_the_first_rows_of_each_key(keys):
    first: dict[str, str] = {}
    with ImportScratch() as scratch:
        for start in range(0, len(keys), 7):  # slices of seven rows
            part = keys[start : start + 7]
            seen = scratch.first_uses(set(part))
            assert seen == {k: first[k] for k in set(part) if k in first}
            new = {}
            for offset, key in enumerate(part):
                if key not in seen and key not in new:
                    new[key] = f"line {start + offset + 2}"
            scratch.add_first_uses(new)
            first |= new
        assert scratch.first_uses(first) == first


def test_lookups_longer_than_one_statement():
    keys = [f"k{i}" for i in range(2 * LOOKUP_SLICE + 3)]
    with ImportScratch() as scratch:
        scratch.add_first_uses({k: f"line {i}" for i, k in enumerate(keys)})
        scratch.add_stored({k: (f"key-{k}", "firm") for k in keys})
        assert len(scratch.first_uses(keys + ["absent"])) == len(keys)
        assert scratch.stored(["k3", "absent"]) == {"k3": ("key-k3", "firm")}


def _child_reads(scratch: ImportScratch, out) -> None:
    out.send((scratch.stored(["REF1"]), scratch.first_uses(["a"])))
    scratch.add_first_uses({"b": "line 3"})
    out.send(scratch.first_uses(["b"]))


def test_a_forked_reader_uses_its_own_connection():
    with ImportScratch() as scratch:
        scratch.add_stored({"REF1": ("p-1", "f-1")})
        scratch.add_first_uses({"a": "line 2"})
        scratch.release()
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child_reads, args=(scratch, send))
        child.start()
        assert receive.recv() == ({"REF1": ("p-1", "f-1")}, {"a": "line 2"})
        assert receive.recv() == {"b": "line 3"}
        child.join()
        assert child.exitcode == 0
        assert scratch.first_uses(["a", "b"]) == {"a": "line 2", "b": "line 3"}
        path = scratch.path
    assert not path.exists() and not path.parent.exists()
