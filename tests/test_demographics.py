"""The demographics scanner: descriptors with their context rule, gendered nouns, metadata axes, partials that merge.

Expected groups are written here by hand from HolisticBias's buckets (descriptors.json) and Gender-GAP's classes;
the lexicon test reads ../shared/data/demographics with the standard library and skips when it is absent.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import unicodedata
from functools import reduce
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import provenance.scanners.demographics  # noqa: F401 - registers the scanner
from provenance.errors import InputError
from provenance.scanners import create, merge_sums
from provenance.scanners.demographics.lexicon import LEXICON_SHA256, language_code, load_lexicon
from provenance.scanners.demographics.scanner import Demographics
from provenance.scanners.demographics.tokens import normalize_form, tokenize

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = REPO_ROOT / "src" / "provenance" / "data" / "demographic_lexicon.json.gz"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_demographic_lexicon.py"
DEMOGRAPHICS = REPO_ROOT.parent / "shared" / "data" / "demographics"
PARTIAL_KEYS = {"records", "records_with_axis", "groups", "gendered", "gendered_records", "metadata"}


def batch(texts: list[str | None], metas: list[object] | None = None) -> pa.Table:
    columns: dict[str, list] = {"record_id": [f"r{i}" for i in range(len(texts))], "text": texts}
    if metas is not None:
        columns["meta"] = [None if m is None else m if isinstance(m, str) else json.dumps(m) for m in metas]
    return pa.table(columns)


def findings(texts: list[str | None], metas: list[object] | None = None, **config) -> list[dict]:
    rows = create("demographics", config).scan(batch(texts, metas)).findings.to_pylist()
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


def labels(text: str, **config) -> dict[str, float]:
    """label -> mentions for one text."""
    return {f["label"]: f["score"] for f in findings([text], **config) if f["detail"]["source"] == "text"}


def genders(text: str, **config) -> dict[str, int]:
    return create("demographics", config).scan(batch([text])).partial["gendered"]


# ---- descriptors -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("BLACK WOMEN organised the march.", "race_ethnicity:black"),
        ("Many Muslims live in the city.", "religion:muslim"),
        ("Americans voted.", "nationality:united_states"),
        ("The Americans' team won.", "nationality:united_states"),
        ("An African-American family moved in.", "race_ethnicity:black"),
        ("African American voters turned out.", "race_ethnicity:black"),
        ("Native Americans lived here first.", "race_ethnicity:indigenous"),
        ("Seventh-day Adventists keep the Sabbath.", "religion:christian"),
        ("She is a middle-aged teacher.", "age:middle_aged"),
        ("The 70-year-old was rescued.", "age:old"),
        ("A five-year-old found it.", "age:child"),
        ("He is autistic.", "ability:neurological"),
        ("People with disabilities asked for ramps.", "ability:unspecific"),
        ("Women of color led the campaign.", "race_ethnicity:combined"),
        ("Our LGBTQ+ members met.", "sexual_orientation:queer"),
        ("Libertarians disagree.", "political_ideologies:libertarian"),
        ("low-income households", "socioeconomic_class:below_poverty_line"),
        ("She uses she/her pronouns.", None),
        ("a person who uses she/her pronouns", "gender_and_sex:pronouns"),
    ],
)
def test_descriptors_count_in_any_case_plural_and_spelling(text: str, label: str | None) -> None:
    found = labels(text)
    if label is None:
        assert not any(k.endswith(":pronouns") for k in found), found
    else:
        assert label in found, found


@pytest.mark.parametrize(
    ("text", "counted", "not_counted"),
    [
        ("White women marched.", "race_ethnicity:white", None),
        ("We had a white Christmas.", None, "race_ethnicity:white"),
        ("An old man sat down.", "age:old", None),
        ("She met an old friend.", None, "age:old"),
        ("Old white men voted.", "race_ethnicity:white", None),
        ("Old white men voted.", "age:old", None),
        ("His older brother left.", None, "age:old"),
        ("Older workers were laid off.", "age:old", None),
        ("The big player in the market.", None, "body_type:large_stature"),
        ("A big man walked in.", "body_type:large_stature", None),
        ("The fat community grew.", None, "body_type:overweight"),
        ("The Black community grew.", "race_ethnicity:black", None),
        ("The country's population grew.", None, "cultural:cultural_descriptors"),
        ("Country people are friendly.", "cultural:cultural_descriptors", None),
        ("The Indian Ocean is warm.", None, "nationality:india"),
        ("Indian immigrants arrived.", "nationality:india", None),
        ("South African people", None, "race_ethnicity:black"),
        ("The Catholic Church", None, "religion:christian"),
        ("Catholic priests", "religion:christian", None),
        ("Christian Bale starred.", None, "religion:christian"),
        ("He married her in 1990.", None, "characteristics:marital_status"),
        ("Married couples pay less.", "characteristics:marital_status", None),
        ("JavaScript is disabled.", None, "ability:unspecific"),
        ("Disabled veterans", "ability:unspecific", None),
        ("The European Union", None, "race_ethnicity:white"),
        ("the white, women", None, "race_ethnicity:white"),  # punctuation breaks the run
    ],
)
def test_ambiguous_descriptors_count_only_before_a_person_noun(text, counted, not_counted) -> None:
    found = labels(text)
    if counted:
        assert counted in found, found
    if not_counted:
        assert not_counted not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "The fairy tale ended.",
        "Fruit and fruitcake.",
        "The victims and survivors were helped by allies.",
        "A criminal case; a convert to the cause.",
        "The building is very tall and the wait very short.",
        "God, the master and the host; sir, do not miss it.",
        "The blicket and the coodle.",
        "whites of two eggs",
    ],
)
def test_dropped_noisy_terms_count_nothing(text: str) -> None:
    assert labels(text) == {}
    assert genders(text) == {"feminine": 0, "masculine": 0, "unspecified": 0}


def test_neutral_prose_has_no_findings() -> None:
    texts = [
        "Preheat the oven. Mix the white sugar with black pepper and a small pinch of salt, then bake until golden.",
        "The old town has a large square, a tall clock tower and several short streets leading to the river.",
        "Install the package, open the configuration file and set the option to true; restart the server.",
        "The single-file format is compact. Big data tools read it in parallel across the cluster.",
        "Rain is expected on Tuesday, with strong winds in the north and fog in the valleys.",
        "",
        None,
    ]
    output = create("demographics").scan(batch(texts))
    assert output.findings.num_rows == 0
    assert output.partial["groups"] == {} and output.partial["records_with_axis"] == {}
    assert output.partial["gendered"] == {"feminine": 0, "masculine": 0, "unspecified": 0}


def test_axes_restrict_what_is_reported() -> None:
    text = "Young Muslim women"
    assert set(labels(text)) == {"age:young", "religion:muslim", "gender_and_sex:feminine"}
    assert set(labels(text, axes=["religion"])) == {"religion:muslim"}
    assert set(labels(text, axes="religion,age")) == {"religion:muslim", "age:young"}


# ---- gendered nouns --------------------------------------------------------------------------------------------------
def test_english_gendered_nouns_and_optional_pronouns() -> None:
    text = "The actress thanked her brother and two sisters; she said the people were kind."
    assert genders(text) == {"feminine": 2, "masculine": 1, "unspecified": 1}
    assert genders(text, pronouns=True) == {"feminine": 4, "masculine": 1, "unspecified": 1}
    found = labels(text)
    assert found["gender_and_sex:feminine"] == 2 and found["gender_and_sex:masculine"] == 1
    assert "gender_and_sex:unspecified" not in found  # unspecified nouns are counted, but are not a group


def test_languages_with_a_script_of_their_own_are_read_by_default() -> None:
    assert genders("Η γυναίκα και ο άνδρας.") == {"feminine": 1, "masculine": 1, "unspecified": 0}
    assert genders("여자 그리고 남자. 여자는") == {"feminine": 1, "masculine": 1, "unspecified": 0}  # no particles


def test_shared_script_and_latin_languages_need_to_be_chosen() -> None:
    assert genders("Die Frauen und der Mann.") == {"feminine": 0, "masculine": 0, "unspecified": 0}
    assert genders("Die Frauen und der Mann.", languages=["deu"]) == {"feminine": 1, "masculine": 1, "unspecified": 0}
    assert genders("Die Frauen und der Mann.", languages="de,en")["feminine"] == 1


def test_chinese_is_counted_as_substrings() -> None:
    text = "我的妈妈和爸爸都是好人。女人们"
    assert genders(text) == {"feminine": 0, "masculine": 0, "unspecified": 0}  # Han is shared by cmn, yue, jpn
    assert genders(text, languages=["cmn"]) == {"feminine": 2, "masculine": 1, "unspecified": 0}


def test_text_is_matched_in_nfc() -> None:
    """Gender-GAP's Bengali lists are NFC; a decomposed text matches them all the same."""
    form = "বোন"  # sister
    assert form in load_lexicon()["gendered"]["ben"]["feminine"]
    decomposed = unicodedata.normalize("NFD", f"আমার {form} আছে")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert genders(decomposed, languages=["ben"])["feminine"] == 1


def test_language_field_picks_the_record_language_list() -> None:
    texts = ["Die Frauen und der Mann.", "The women and the man.", "Kvinnene og mennene.", "The women.", "Women, Mann"]
    metas = [{"lang": "de"}, {"lang": "deu_Latn"}, {"lang": "nb"}, None, {"lang": "en+de"}]
    scanner = create("demographics", {"language_field": "lang"})
    out = scanner.scan(batch(texts, metas)).findings.to_pylist()
    by_record: dict[str, set[str]] = {}
    for f in out:
        by_record.setdefault(f["record_id"], set()).add(f["label"])
    # German list for German records (English words in a German-tagged record are not English), nothing for a
    # language without a list, the default (English and own-script languages) when the record names none
    assert by_record == {
        "r0": {"gender_and_sex:feminine", "gender_and_sex:masculine"},
        "r3": {"gender_and_sex:feminine"},
        "r4": {"gender_and_sex:feminine", "gender_and_sex:masculine"},  # both lists for a record in two languages
    }


def test_language_codes() -> None:
    assert language_code("en-US") == "eng" and language_code("zh_Hant") == "cmn" and language_code("fil") == "tgl"
    assert language_code("eng_Latn") == "eng" and language_code("") is None and language_code(3) is None


def test_what_is_not_looked_for_is_said() -> None:
    default = create("demographics").not_looked_for()
    assert any("Cyrillic" in line for line in default) and any("English" in line for line in default)
    chosen = create("demographics", {"language_field": "lang", "axes": ["age"]}).not_looked_for()
    assert not any("Cyrillic" in line for line in chosen)
    assert any("religion" in line for line in chosen)


def test_bad_configuration_is_an_input_error() -> None:
    with pytest.raises(InputError, match="xx"):
        create("demographics", {"languages": ["xx"]})
    with pytest.raises(InputError, match="colour"):
        create("demographics", {"axes": ["colour"]})


# ---- metadata --------------------------------------------------------------------------------------------------------
def test_metadata_axes_count_records_per_declared_value() -> None:
    metas = [
        {"speaker_gender": "Female", "age_band": "30-39", "speaker": {"region": "Wales"}},
        {"speaker_gender": " female ", "age_band": None, "speaker": {"region": "Kent"}},
        {"speaker_gender": ["male", "female", "male"], "age_band": 40},
        "not json {",
        None,
        {"other": "female"},
    ]
    config = {
        "metadata_axes": {
            "speaker_gender": "gender_and_sex",
            "age_band": "age",
            "speaker.region": "region",
        }
    }
    scanner = create("demographics", config)
    output = scanner.scan(batch(["a"] * len(metas), metas))
    assert output.partial["metadata"] == {
        "gender_and_sex": {"female": 3, "male": 1},
        "age": {"30-39": 1, "40": 1},
        "region": {"wales": 1, "kent": 1},
    }
    rows = [r for r in output.findings.to_pylist() if json.loads(r["detail"])["source"] == "metadata"]
    assert {(r["record_id"], r["label"]) for r in rows} == {
        ("r0", "gender_and_sex:female"),
        ("r0", "age:30-39"),
        ("r0", "region:wales"),
        ("r1", "gender_and_sex:female"),
        ("r1", "region:kent"),
        ("r2", "gender_and_sex:male"),
        ("r2", "gender_and_sex:female"),
        ("r2", "age:40"),
    }
    assert output.partial["groups"] == {}  # declared values are not text mentions


def test_metadata_from_a_jsonl_meta_column_holding_the_whole_line() -> None:
    """The JSON Lines reader keeps each record's raw line as its meta, text included."""
    line = json.dumps({"text": "The weather.", "speaker_gender": "male"})
    output = create("demographics", {"metadata_axes": {"speaker_gender": "gender_and_sex"}}).scan(
        batch(["The weather."], [line])
    )
    assert output.partial["metadata"] == {"gender_and_sex": {"male": 1}}


# ---- findings, partials and the merge --------------------------------------------------------------------------------
def test_findings_and_partial_format() -> None:
    scanner = create("demographics", {"metadata_axes": {"g": "gender_and_sex"}})
    output = scanner.scan(batch(["Two old women and an old man.", "Weather."], [{"g": "F"}, None]))
    rows = output.findings.to_pylist()
    assert {r["kind"] for r in rows} == {"demographics"}
    by_label = {r["label"]: r for r in rows}
    old = by_label["age:old"]
    assert old["score"] == 2.0 and old["start"] is None and old["end"] is None and old["value_hash"] is None
    assert json.loads(old["detail"]) == {"axis": "age", "group": "old", "mentions": 2, "source": "text"}
    assert json.loads(by_label["gender_and_sex:f"]["detail"])["source"] == "metadata"
    partial = output.partial
    assert set(partial) == PARTIAL_KEYS
    assert partial["records"] == 2
    assert partial["records_with_axis"] == {"age": 1, "gender_and_sex": 1}
    assert partial["groups"] == {
        "age": {"old": {"records": 1, "mentions": 2}},
        "gender_and_sex": {"feminine": {"records": 1, "mentions": 1}, "masculine": {"records": 1, "mentions": 1}},
    }
    assert partial["gendered"] == {"feminine": 1, "masculine": 1, "unspecified": 0}
    assert partial["gendered_records"] == {"feminine": 1, "masculine": 1}
    assert partial["metadata"] == {"gender_and_sex": {"f": 1}}
    summary = scanner.summarize(partial)
    assert summary["axes"]["age"] == {"records": 1, "groups": {"old": 1}, "mentions": {"old": 2}}
    assert summary["female_male_ratio"] == 1.0 and summary["metadata"] == {"gender_and_sex": {"f": 1}}


PIECES = [
    "white women",
    "white Christmas",
    "old man",
    "older brother",
    "Muslims",
    "African-American",
    "people with disabilities",
    "actress",
    "king",
    "people",
    "the weather",
    "big player",
    "Η γυναίκα",
    "妈妈",
    ",",
    ".",
    "",
]


@given(
    records=st.lists(
        st.tuples(
            st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
            st.one_of(st.none(), st.fixed_dictionaries({"g": st.sampled_from(["f", "m", "x", None])})),
        ),
        max_size=30,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=30), max_size=5),
)
def test_partials_merge_to_the_same_totals_however_the_batch_is_split(records, cuts) -> None:
    scanner = create("demographics", {"metadata_axes": {"g": "gender_and_sex"}})
    texts = [t for t, _ in records]
    metas = [m for _, m in records]
    whole = scanner.scan(batch(texts, metas)).partial
    bounds = sorted({0, len(records), *(min(c, len(records)) for c in cuts)})
    shards = [scanner.scan(batch(texts[a:b], metas[a:b])).partial for a, b in pairwise(bounds)]
    shards = shards or [scanner.scan(batch([], [])).partial]
    assert reduce(scanner.merge, shards) == whole
    assert reduce(merge_sums, reversed(shards)) == whole  # the order of the shards does not matter


# ---- the tokens and the lexicon --------------------------------------------------------------------------------------
def test_normalisation_of_forms_and_text_agree() -> None:
    assert normalize_form("African-American") == "african american"
    assert normalize_form("LGBTQ+") == "lgbtq"
    assert normalize_form("Bahá'í") == "bahá'í"
    assert tokenize("Women’s rights—now.") == [b"women's", b"rights", b"\x00", b"now", b"\x00"]


def test_shipped_lexicon_is_cc_by_sa_and_its_version_is_stamped() -> None:
    lexicon = load_lexicon()
    assert lexicon["license"] == "CC-BY-SA-4.0"
    assert {s["license"] for s in lexicon["sources"]} == {"CC-BY-SA-4.0", "MIT"}
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == LEXICON_SHA256, (
        "the lexicon changed: bump Demographics.version and update LEXICON_SHA256"
    )
    assert Demographics.version
    forms = {t[0] for t in lexicon["terms"]}
    assert {"fruit", "fruits", "fairy", "boi", "criminal", "convert", "victims", "blicket", "very tall"}.isdisjoint(
        forms
    )
    assert "female" not in forms and "female" in lexicon["gendered"]["eng"]["feminine"]
    for lang in ("cmn", "yue", "jpn", "tha"):
        assert all(len(f) > 1 for forms in lexicon["gendered"][lang].values() for f in forms)


@pytest.mark.external
def test_shipped_lexicon_is_what_the_script_builds(tmp_path: Path) -> None:
    if not (DEMOGRAPHICS / "holistic_bias").is_dir():
        pytest.skip(f"HolisticBias and Gender-GAP not found at {DEMOGRAPHICS} (optional: ../shared/data)")
    out = tmp_path / "lexicon.json.gz"
    proc = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--data", str(DEMOGRAPHICS), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == SHIPPED.read_bytes(), "rebuild with: python scripts/build_demographic_lexicon.py"


@pytest.mark.external
def test_lexicon_keeps_holistic_bias_buckets() -> None:
    """Every kept descriptor of a bucketed axis is filed under its HolisticBias bucket (read with json here)."""
    path = DEMOGRAPHICS / "holistic_bias/holistic_bias/dataset/v1.1/descriptors.json"
    if not path.is_file():
        pytest.skip(f"HolisticBias not found at {path}")
    terms = {(t[0], t[1]): t[2] for t in load_lexicon()["terms"]}
    checked = 0
    for axis, buckets in json.loads(path.read_text(encoding="utf-8")).items():
        if axis in {"nonce", "religion", "political_ideologies"}:
            continue
        for bucket, items in buckets.items():
            for item in items:
                form = normalize_form(item if isinstance(item, str) else item["descriptor"])
                if (form, axis) in terms:
                    assert terms[(form, axis)] == bucket, (form, axis)
                    checked += 1
    assert checked > 400
    raw = gzip.decompress(SHIPPED.read_bytes())
    assert json.loads(raw)["format"] == 1
