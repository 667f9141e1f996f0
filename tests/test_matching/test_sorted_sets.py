import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matching import sorted_sets

codes = arrays(np.int64, st.integers(0, 60), elements=st.integers(-(2**62), 2**62))
small = arrays(np.int64, st.integers(0, 60), elements=st.integers(0, 12))


@given(codes | small)
def test_unique_is_numpys(values):
    assert np.array_equal(sorted_sets.unique(values), np.unique(values))


@given(codes | small, codes | small)
def test_isin_is_numpys(values, among):
    assert np.array_equal(sorted_sets.isin(values, among), np.isin(values, among))
