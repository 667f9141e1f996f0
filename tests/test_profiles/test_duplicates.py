from profiles.domain import Firm
from profiles.duplicates import find_duplicate_firms, name_key


def test_legal_forms_and_accents_do_not_hide_a_duplicate():
    assert name_key("Vejle Præcision ApS") == name_key("VEJLE PRAECISION A/S")


def test_same_firm_twice_is_reported_not_merged():
    firms = [
        Firm("dk-vp1", "Vejle Præcision ApS", "DK", city="Vejle"),
        Firm("dk-vp2", "Vejle Praecision Aps", "DK", city="Vejle"),
        Firm("dk-other", "Tønder Aluminium A/S", "DK", city="Tønder"),
        Firm("se-vp", "Vejle Praecision AB", "SE", city="Borlänge"),
    ]
    found = find_duplicate_firms(firms)
    assert [(d.first, d.second) for d in found] == [("dk-vp1", "dk-vp2")]
    assert found[0].same_city and "look like the same firm" in str(found[0])


def test_different_firms_in_one_city_are_not_duplicates():
    firms = [
        Firm("a", "Nordic Extrusion A/S", "DK", city="Tønder"),
        Firm("b", "Nordic Anodising A/S", "DK", city="Tønder"),
    ]
    assert find_duplicate_firms(firms) == []


def test_only_pairs_with_an_incoming_firm_are_reported():
    firms = [
        Firm("dk-vp1", "Vejle Præcision ApS", "DK", city="Vejle"),
        Firm("dk-vp2", "Vejle Praecision Aps", "DK", city="Vejle"),
        Firm("dk-vp3", "Vejle Precision ApS", "DK", city="Vejle"),
    ]
    found = find_duplicate_firms(firms, incoming={"dk-vp3"})
    assert {(d.first, d.second) for d in found} <= {("dk-vp1", "dk-vp3"), ("dk-vp2", "dk-vp3")}
    assert found and all("dk-vp3" in (d.first, d.second) for d in found)
    assert ("dk-vp1", "dk-vp2") in {(d.first, d.second) for d in find_duplicate_firms(firms)}
