"""Content restrictions by age band (storyverse/families/services/restrictions.py): examples per band."""
import pytest

from chalicelib.storyverse.families.services.restrictions import (
    AGE_BANDS,
    MAX_SCARINESS,
    Restrictions,
    refusals,
    restrictions_for,
)


@pytest.mark.parametrize(
    "band, text",
    [
        ("under_7", "The little rabbit hops home for a cosy bedtime."),
        ("under_7", "Two friends share a picnic on a warm afternoon by the river."),
        ("under_7", "On a dark night the kitten finds the lost star."),
        ("7_12", "The explorers cross the jungle and a dragon chases them to the ruins."),
        ("13_plus", "A daring adventure: the rebels fight their way out of the dark castle."),
        ("13_plus", "Monsters attack the city and the heroine faces death to save her brother."),
    ],
)
def test_allowed_examples(band, text):
    assert refusals(band, text) == []


@pytest.mark.parametrize(
    "band, text, found",
    [
        ("under_7", "Monsters attack the village.", "Monsters"),
        ("under_7", "There was blood on the floor.", "blood"),
        ("under_7", "The knight killed the troll.", "killed"),
        ("7_12", "The zombie shuffled closer, and the corpse rose.", "corpse"),
        ("7_12", "A tale of torture in the dungeon.", "torture"),
        ("13_plus", "The gore was everywhere.", "gore"),
    ],
)
def test_refused_examples_name_what_was_found(band, text, found):
    reasons = refusals(band, text)
    assert reasons
    assert any(f'"{found}"' in reason for reason in reasons)


def test_scariness_refusal_explains_the_scale_and_the_limit():
    [reason] = refusals("under_7", "Monsters attack the village.")
    assert "too scary for children under 7" in reason
    assert f"2 on our 0-{MAX_SCARINESS} scale" in reason
    assert "(1) at most" in reason


def test_blocked_word_and_scariness_are_separate_reasons():
    reasons = refusals("under_7", "The wolf drank blood.")
    assert any('The word "blood"' in reason for reason in reasons)
    assert any("too scary" in reason for reason in reasons)


def test_word_forms_count_but_words_inside_other_words_do_not():
    assert refusals("under_7", "Warm wartime stories") == []  # "war" is blocked, "warm" is not "war"
    assert refusals("under_7", "Nobody dies here.") != []
    assert refusals("under_7", "The skillful painter") == []  # contains "kill"


@pytest.mark.parametrize(
    "band, themes, refused",
    [
        ("under_7", ["friendship", "animals"], []),
        ("under_7", ["Adventure", "animals"], ["adventure"]),
        ("under_7", ["suspense", "science fiction"], ["suspense", "science fiction"]),
        ("7_12", ["adventure", "mystery", "space"], []),
        ("7_12", ["coming of age"], ["coming of age"]),
        ("13_plus", ["adventure", "suspense", "historical conflict"], []),
        ("13_plus", ["horror"], ["horror"]),
    ],
)
def test_themes(band, themes, refused):
    reasons = refusals(band, "A story.", themes)
    assert len(reasons) == len(refused)
    for theme, reason in zip(refused, reasons):
        assert f'The theme "{theme}" is not suitable' in reason
        assert "Themes for this age:" in reason


def test_bands_grow_more_permissive():
    rules = [restrictions_for(band) for band in AGE_BANDS]
    assert all(isinstance(rule, Restrictions) for rule in rules)
    assert [rule.max_scariness for rule in rules] == sorted(rule.max_scariness for rule in rules)
    for younger, older in zip(rules, rules[1:]):
        assert set(younger.allowed_themes) <= set(older.allowed_themes)
    assert [rule.vocabulary_level for rule in rules] == ["simple", "intermediate", "advanced"]
    assert all(rule.image_style for rule in rules)


def test_restrictions_are_frozen():
    with pytest.raises(AttributeError):
        restrictions_for("under_7").max_scariness = 3  # type: ignore[misc]


@pytest.mark.parametrize("band", ["", "adult", "UNDER_7", "under 7"])
def test_unknown_band_is_an_error(band):
    with pytest.raises(ValueError):
        restrictions_for(band)
    with pytest.raises(ValueError):
        refusals(band, "text")
