"""Identifying licence texts: what a user of ``identify`` and ``provenance eval licenses`` relies on.

Reference texts come from the installed licensedcode-data package, so no licence prose lives in this repository;
the gold sets under ../shared/data are used when present and skipped with a reason when not.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from provenance.evaluation.licenses import (
    GoldCase,
    Prediction,
    evaluate_licenses,
    load_license_gold,
    predict_licenses,
    same_license,
    write_predictions,
)
from provenance.licenses.identify import LicenseIndex, LicenseMatch, identify, licensedcode_root

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LICENSES = DATA / "licenses"
needs_gold = pytest.mark.skipif(not LICENSES.is_dir(), reason=f"{LICENSES} is absent (the shared gold licence data)")


def reference(key: str) -> str:
    """A licence text as the package ships it (front matter removed)."""
    text = (licensedcode_root() / "licenses" / f"{key}.LICENSE").read_text(encoding="utf-8")
    return text.split("\n---", 1)[1].split("\n", 1)[1]


def spdx_of(matches: list[LicenseMatch]) -> list[str]:
    return [m.spdx for m in matches]


@pytest.fixture(scope="module")
def index() -> LicenseIndex:
    return LicenseIndex.get()


def test_the_index_is_built_once_per_process(index: LicenseIndex) -> None:
    assert LicenseIndex.get() is index
    assert index.build_seconds > 0
    assert len({r.key for r in index.references}) > 2000


@pytest.mark.parametrize(
    ("key", "spdx"),
    [
        ("mit", "MIT"),
        ("apache-2.0", "Apache-2.0"),
        ("gpl-2.0", "GPL-2.0-only"),
        ("gpl-3.0", "GPL-3.0-only"),
        ("lgpl-2.1", "LGPL-2.1-only"),
        ("bsd-new", "BSD-3-Clause"),
        ("bsd-simplified", "BSD-2-Clause"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("mpl-2.0", "MPL-2.0"),
        ("isc", "ISC"),
        ("unlicense", "Unlicense"),
    ],
)
def test_package_texts_are_identified(index: LicenseIndex, key: str, spdx: str) -> None:
    text = reference(key)
    matches = index.identify(text)
    assert spdx_of(matches) == [spdx]
    assert matches[0].scancode_key == key
    assert matches[0].coverage == pytest.approx(1.0)
    assert matches[0].kind == "text"


@pytest.mark.parametrize(
    ("key", "spdx"),
    [
        ("mit", "MIT"),
        ("mit-0", "MIT-0"),
        ("bsd-simplified", "BSD-2-Clause"),
        ("bsd-new", "BSD-3-Clause"),
        ("clear-bsd", "BSD-3-Clause-Clear"),
        ("gpl-2.0", "GPL-2.0-only"),
        ("gpl-3.0", "GPL-3.0-only"),
        ("gpl-3.0-plus", "GPL-3.0-or-later"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ],
)
def test_near_identical_licences_are_told_apart(index: LicenseIndex, key: str, spdx: str) -> None:
    # MIT-0 is MIT less a clause, BSD-3 is BSD-2 plus one, Clear adds a patent sentence, -or-later adds a notice
    assert spdx_of(index.identify(reference(key))) == [spdx]


def test_mit_with_filled_in_copyright_reflowed_as_markdown(index: LicenseIndex) -> None:
    body = " ".join(reference("mit").split())
    paragraphs = body.replace("The above copyright", "\n\nThe above copyright").replace(
        "THE SOFTWARE IS", "\n\n**THE SOFTWARE IS"
    )
    wrapped = "\n\n".join(textwrap.fill(p.strip(), 72) for p in paragraphs.split("\n\n"))
    text = f"# MIT License\n\nCopyright (c) 2019-2024 Jane Q. Doe <jane@example.org>\n\n{wrapped}**\n"
    assert spdx_of(index.identify(text)) == ["MIT"]
    html = "<html><body><h1>License</h1><p>" + body.replace('"', "&quot;") + "</p></body></html>"
    assert spdx_of(index.identify(html)) == ["MIT"]


@pytest.mark.parametrize(
    "text",
    [
        "# fastthing\n\nA small library for parsing things quickly. Released under the MIT license; see LICENSE.\n"
        "Contributions welcome. This project is licensed under the Apache License 2.0 as well, at your option.\n" * 5,
        "def permission_granted(user):\n    '''Return True if the licence allows it.'''\n    return user.copyright\n"
        * 40,
        "Copyright (c) 2024 Example Corp. All rights reserved. No warranty is given; use at your own risk.\n",
        "The MIT License is a permissive free software license originating at the Massachusetts Institute of "
        "Technology in the late 1980s. As a permissive license, it puts only very limited restriction on reuse.",
        "",
    ],
    ids=["readme", "code", "copyright-line", "prose-about-mit", "empty"],
)
def test_text_that_is_not_a_licence_gives_no_match(index: LicenseIndex, text: str) -> None:
    assert index.identify(text) == []


def test_a_quoted_sentence_of_a_licence_is_not_named(index: LicenseIndex) -> None:
    gpl = reference("gpl-3.0")
    quote = "As the licence puts it: " + gpl[gpl.index("The GNU General Public License is") :][:400]
    assert index.identify(quote) == []


def test_notices_in_source_headers_are_named_as_notices(index: LicenseIndex) -> None:
    apache = reference("apache-2.0")
    (match,) = index.identify("# Copyright 2024 Someone\n#\n# " + apache[apache.index("Licensed under the Apache") :])
    assert (match.spdx, match.kind) == ("Apache-2.0", "notice")
    plus = reference("gpl-3.0-plus")
    notice = plus[: plus.index("GNU GENERAL PUBLIC LICENSE")]  # the package's "or any later version" notice
    header = "/*\n" + "".join(f" * {line}\n" for line in f"Copyright (C) 2020 Someone\n\n{notice}".splitlines())
    header += " */\n#include <stdio.h>\n"
    assert [(m.spdx, m.kind) for m in index.identify(header)] == [("GPL-3.0-or-later", "notice")]
    # the version number decides the licence: one changed word is a different licence, never a near match
    assert spdx_of(index.identify(header.replace("version 3 of", "version 2 of"))) == ["GPL-2.0-or-later"]
    assert index.identify(header, notices=False) == []  # full licence texts only


def test_two_licences_in_one_text_give_two_matches_with_their_offsets(index: LicenseIndex) -> None:
    mit, apache = reference("mit"), reference("apache-2.0")
    head = "This project is dual-licensed. You may choose either licence below.\n\n== MIT ==\n\n"
    middle = "\n\n== Apache ==\n\n"
    text = head + mit + middle + apache + "\n\nThanks for reading.\n"
    matches = index.identify(text)
    assert spdx_of(matches) == ["MIT", "Apache-2.0"]
    first, second = matches
    mit_start, apache_start = len(head), len(head) + len(mit) + len(middle)
    assert mit_start <= first.start < mit_start + 20 and mit_start + len(mit) - 20 < first.end <= mit_start + len(mit)
    assert apache_start <= second.start < apache_start + 120
    assert apache_start + len(apache) - 40 < second.end <= apache_start + len(apache)


def test_offsets_point_at_the_licence_inside_other_text(index: LicenseIndex) -> None:
    bsd = reference("bsd-new")
    prefix = "İstanbul notes — a README with some prose before the licence, and ﬁ ligatures. " * 3 + "\n\n"
    text = prefix + bsd + "\n\nChangelog: fixed things.\n"
    (match,) = index.identify(text)
    assert match.spdx == "BSD-3-Clause"
    assert len(prefix) <= match.start < len(prefix) + 80  # past the prose, at most past the blanked copyright line
    assert text[match.start : match.end].startswith(("All rights reserved", "Redistribution"))
    assert text[match.start : match.end].endswith("SUCH DAMAGE")  # the licence's last word
    assert match.end <= len(prefix) + len(bsd)


def test_a_modified_licence_is_not_named_as_the_original(index: LicenseIndex) -> None:
    mit = reference("mit")
    cut = mit.index("The above copyright notice")
    clause = (
        "You may not use the Software for any commercial purpose, sell it, or offer it as a hosted service "
        "without the prior written consent of the authors, which they may withhold for any reason at all.\n\n"
    )
    assert index.identify(mit[:cut] + clause + mit[cut:]) == []


def test_several_copies_of_one_licence_are_each_found(index: LicenseIndex) -> None:
    mit = reference("mit")
    text = "".join(
        f"\n\n- package-{n}, licensed as follows:\n\nCopyright (c) 20{n:02d} Person {n}\n\n{mit}" for n in (1, 2, 3)
    )
    matches = index.identify(text)
    assert spdx_of(matches) == ["MIT", "MIT", "MIT"]
    assert matches[0].end <= matches[1].start and matches[1].end <= matches[2].start


def test_module_level_identify_uses_the_shared_index() -> None:
    assert spdx_of(identify(reference("zlib"))) == ["Zlib"]


def test_scoring_rules() -> None:
    cases = [
        GoldCase("gpl", "", "GPL-3.0", "license"),
        GoldCase("none", "", None, "none"),
        GoldCase("modified-mpl", "", None, "other", not_one_of=frozenset({"MPL-2.0", "MIT"})),
        GoldCase("nc", "", None, "other", not_one_of=frozenset({"MPL-2.0", "MIT"})),
        GoldCase("two", "", None, "other", not_one_of=frozenset({"MPL-2.0", "MIT"})),
    ]
    predictions = [
        Prediction("gpl", "GPL-3.0-only"),
        Prediction("none", "MIT"),
        Prediction("modified-mpl", "MPL-2.0"),
        Prediction("nc", "CC-BY-NC-SA-4.0"),
        Prediction("two", "MIT AND MPL-2.0"),
    ]
    scores = evaluate_licenses(cases, predictions)
    assert scores.correct == 3
    assert scores.wrong_where_none == 1
    assert scores.wrong_where_other == 1
    assert [m["case"] for m in scores.misses] == ["none", "modified-mpl"]
    assert scores.rows()[-1] == {"expected": "overall", "cases": 5, "correct": 3, "accuracy": 0.6}
    assert same_license("GPL-2.0", "GPL-2.0-or-later") and not same_license("GPL-2.0", "GPL-3.0-only")
    assert not same_license("MIT", "MIT AND Apache-2.0")


@needs_gold
@pytest.mark.parametrize("folder", ["licensee_fixtures", "licensee_fixtures/spec/fixtures", "choosealicense"])
def test_gold_sets_load_and_score_above_target(folder: str, tmp_path: Path) -> None:
    cases = load_license_gold(LICENSES / folder)
    assert len(cases) in (64, 47)
    predictions = predict_licenses(cases)
    scores = evaluate_licenses(cases, predictions)
    assert scores.accuracy >= 0.95, scores.misses
    assert scores.wrong_where_none == 0 and scores.wrong_where_other == 0
    out = tmp_path / "predictions.jsonl"
    write_predictions(out, predictions)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["case"] for r in rows] == [c.name for c in cases]
    assert {"case", "spdx", "coverage", "score"} <= set(rows[0])


@needs_gold
def test_licensee_fixture_folders_are_read_like_a_user_would() -> None:
    cases = {c.name: c for c in load_license_gold(LICENSES / "licensee_fixtures")}
    assert cases["mit"].expected_spdx == "MIT" and cases["mit"].files == ("LICENSE.txt",)
    assert cases["readme"].files == ("README.md",)  # no licence file: the README is what a user reads
    assert cases["licenses-dir"].files == ("LICENSES/MIT.txt",)
    assert cases["copyright-encoding"].expect == "none"
    assert cases["fcpl-modified-mpl"].expect == "other" and "MPL-2.0" in cases["fcpl-modified-mpl"].not_one_of
