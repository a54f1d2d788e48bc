import pytest

from rag.core.offsets import MappedTextBuilder


def test_exact_and_block_pieces_map_back():
    original = "ab(x)cdXYZ"
    b = MappedTextBuilder()
    b.copy("AB", 0)          # original[0:2]
    b.copy("CD", 5)          # original[5:7], "(x)" dropped
    b.block("Q", 7, 10)      # one char standing for original[7:10]
    m = b.build()
    assert m.text == "ABCDQ"
    assert m.to_original(0, 2) == (0, 2)
    assert m.to_original(1, 3) == (1, 6)  # spans the dropped reading
    assert m.to_original(4, 5) == (7, 10)
    assert m.to_original(2, 5) == (5, 10)
    with pytest.raises(ValueError):
        m.to_original(3, 9)
