import json
from importlib import resources

import pytest

from profiles.taxonomy.vocabulary import fold, load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.mark.parametrize("phrase", ["welding", "svejsning", "sveising", "svetsning", "Schweißen", "Schweissen"])
def test_welding_in_five_languages(vocab, phrase):
    assert vocab.normalise(phrase).concept_id == vocab.normalise("welding").concept_id


@pytest.mark.parametrize("phrase", ["anodising", "anodizing", "anodisering", "eloxering", "Eloxieren"])
def test_anodising_variants_meet(vocab, phrase):
    assert vocab.normalise(phrase).concept_id == vocab.normalise("anodising").concept_id


def test_misspelling_meets_through_rapidfuzz(vocab):
    hit = vocab.normalise("anodizng")
    assert hit.method == "fuzzy"
    assert hit.concept_id == vocab.normalise("anodizing").concept_id


def test_longer_phrase_found_by_containment(vocab):
    hit = vocab.normalise("robotic friction stir welding of battery trays")
    assert hit.concept_id == vocab.normalise("friction stir welding").concept_id


def test_unknown_phrase_is_kept_not_dropped(vocab):
    hit = vocab.normalise("snow-groomer blade refurbishment")
    assert hit.concept_id is None and hit.method == "unknown"
    assert hit.phrase == "snow-groomer blade refurbishment"


def test_certifications_normalise(vocab):
    assert vocab.normalise("IATF16949").concept_id == vocab.normalise("IATF 16949").concept_id
    assert vocab.kind(vocab.normalise("ISO 9001").concept_id) == "certification"


def test_hierarchy_relatedness(vocab):
    fsw = vocab.normalise("friction stir welding").concept_id
    welding = vocab.normalise("welding").concept_id
    assert vocab.relatedness(fsw, welding) == 0.9
    assert vocab.relatedness(welding, fsw) == 0.5
    assert vocab.relatedness(welding, welding) == 1.0


def test_fold():
    assert fold("  Schweißen ") == "schweissen"
    assert fold("Overfladebehandling/Ærø") == "overfladebehandling/aero"


def test_vocabulary_file_is_consistent():
    doc = json.loads(resources.files("profiles").joinpath("data/vocabulary.json").read_text("utf-8"))
    ids = [c["id"] for c in doc["concepts"]]
    assert len(ids) == len(set(ids))
    owners: dict[str, str] = {}
    for c in doc["concepts"]:
        assert c["kind"] in {"process", "material", "certification"}
        assert c["parent"] is None or c["parent"] in ids
        for words in c["synonyms"].values():
            for w in words:
                assert owners.setdefault(fold(w), c["id"]) == c["id"], f"{w} maps to two concepts"
    domains = {d for c in doc["concepts"] for d in c["domains"]}
    assert {"metalworking", "plastics", "electronics", "furniture", "assembly"} <= domains
    languages = {lang for c in doc["concepts"] for lang in c["synonyms"]}
    assert {"en", "da", "no", "sv", "de"} <= languages


# compounding and inflecting languages ---------------------------------------------------------
@pytest.mark.parametrize(
    "phrase, concept",
    [
        ("Præcisionsslipning", "process.machining.grinding"),  # da: precision + grinding (the head)
        ("Precisionsslipning", "process.machining.grinding"),  # sv
        ("limträbalkar", "process.wood.glulam"),  # sv: glulam beams, inflected
        ("Leiterplatten", "process.electronics.pcba"),  # de: plural of a part of a known compound
        ("Präzisionsschleifen", "process.machining.grinding"),  # de
        ("Kabelbäumen", "process.electronics.harness"),  # de: dative plural with umlaut
        ("hydraulikksystemer", "process.hydraulics"),  # no
        ("robotsvejsningen", "process.welding.robot"),  # da: definite form
    ],
)
def test_compounds_and_inflections_find_their_concept(phrase, concept):
    hit = load_vocabulary().normalise(phrase)
    assert hit.concept_id == concept, (phrase, hit)
    assert hit.matched  # the phrase it came from, for explanations


@pytest.mark.parametrize(
    "phrase",
    [
        "anodisering af aluminiumsprofiler",
        "anodising of aluminium profiles",
        "aluminium profile anodising",
        "Eloxieren von Aluminiumprofilen",
    ],
)
def test_the_head_of_a_phrase_names_the_process(phrase):
    assert load_vocabulary().normalise(phrase).concept_id == "process.surface_treatment.anodising"


@pytest.mark.parametrize("phrase", ["Entwicklung", "foam cutting"])
def test_false_friends_are_gone(phrase):
    hit = load_vocabulary().normalise(phrase)
    assert hit.concept_id not in ("process.engineering", "process.foam"), hit


@pytest.mark.parametrize(
    "word, not_concept, concept",
    [
        ("præcisionsslibning", "process.casting.investment", "process.machining.grinding"),  # not præcisionsstøbning
        ("platedeler", "process.plastics", None),  # sheet parts are not plastic parts ("plastdeler")
        ("batteribakker", "process.electronics.battery_pack", None),  # battery trays are not battery packs
        ("strengpresning", "process.sheet_metal.stamping", "process.extrusion"),
    ],
)
def test_a_compound_one_letter_from_another_word_is_not_that_word(word, not_concept, concept):
    hit = load_vocabulary().normalise(word)
    assert hit.concept_id != not_concept and hit.concept_id == concept, hit


def test_typing_slips_in_short_words_still_meet():
    vocab = load_vocabulary()
    for slip, word in (("anodizng", "anodizing"), ("extrusoin", "extrusion")):
        assert vocab.normalise(slip).concept_id == vocab.normalise(word).concept_id


def test_a_phrase_is_scanned_for_every_concept_it_names():
    vocab = load_vocabulary()
    hits = vocab.scan("Anodising and powder coating of aluminium profiles")
    assert [(h.concept_id, h.phrase) for h in hits] == [
        ("process.surface_treatment.anodising", "Anodising"),
        ("process.surface_treatment.coating.powder", "powder coating"),
        ("process.extrusion.aluminium", "aluminium profiles"),
    ]
    # the longest known phrase wins its words: MIG welding, not welding; stainless steel, not steel
    assert [h.concept_id for h in vocab.scan("MIG-svejsning og laserskæring af rustfrit stål")][0] != "process.welding"
    assert [h.phrase for h in vocab.scan("Pulverlakering af stålemner og aluminium")] == ["Pulverlakering", "aluminium"]
    assert vocab.scan("we make good things") == []
