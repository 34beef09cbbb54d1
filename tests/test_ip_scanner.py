"""The ip scanner: what a record says about its own licence, copyright and reserved rights, and protected works."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import provenance
from provenance.ledger import Ledger
from provenance.scanners import create

KEY = b"k" * 32


def scan_texts(texts: list[str], **config) -> list[dict]:
    scanner = create("ip", config)
    scanner.key = KEY
    batch = pa.table({"record_id": [f"r{i}" for i in range(len(texts))], "text": texts})
    found = scanner.scan(batch).findings.to_pylist()
    for f in found:
        f["detail"] = json.loads(f["detail"]) if f["detail"] else {}
    return found


def licences(texts: list[str]) -> list[tuple[str, str]]:
    return [(f["label"], f["detail"].get("spdx")) for f in scan_texts(texts) if f["detail"].get("spdx")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("// SPDX-License-Identifier: Apache-2.0\nint x;", ("SPDX_TAG", "Apache-2.0")),
        ("/* SPDX-License-Identifier: MIT OR Apache-2.0 */", ("SPDX_TAG", "MIT OR Apache-2.0")),
        ("<!-- SPDX-License-Identifier: cc-by-4.0 -->", ("SPDX_TAG", "CC-BY-4.0")),
        ("Text is available under CC BY-NC 4.0 unless noted.", ("LICENSE_NOTICE", "CC-BY-NC-4.0")),
        (
            "This program is free software: you can redistribute it under the terms of the GNU General Public "
            "License as published by the Free Software Foundation, either version 3 of the License, or (at your "
            "option) any later version.",
            ("LICENSE_NOTICE", "GPL-3.0-or-later"),
        ),
        (
            "This library is distributed under the GNU Lesser General Public License version 2.1.",
            ("LICENSE_NOTICE", "LGPL-2.1-only"),
        ),
        ("This project is released under the MIT license.", ("LICENSE_NOTICE", "MIT")),
    ],
)
def test_licence_tags_and_notices_name_the_licence(text: str, expected: tuple[str, str]) -> None:
    assert expected in licences([text])


def test_a_full_licence_text_is_identified(tmp_path: Path) -> None:
    mit = (
        "MIT License\n\nCopyright (c) 2024 Example Tools Ltd.\n\nPermission is hereby granted, free of charge, to any "
        'person obtaining a copy of this software and associated documentation files (the "Software"), to deal in '
        "the Software without restriction, including without limitation the rights to use, copy, modify, merge, "
        "publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the "
        "Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this "
        "permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE "
        'IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE '
        "WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE "
        "AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF "
        "CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER "
        "DEALINGS IN THE SOFTWARE.\n"
    )
    found = {(f["label"], f["detail"].get("spdx")) for f in scan_texts([mit])}
    assert ("LICENSE_TEXT", "MIT") in found
    copyright = next(f for f in scan_texts([mit]) if f["label"] == "COPYRIGHT")
    assert copyright["detail"]["holder"] == "Example Tools Ltd"
    assert copyright["detail"]["years"] == "2024"


def test_copyright_holders_who_may_be_people_are_only_hashed() -> None:
    found = scan_texts(["# Copyright (C) 2018 Oskar Exempel\nprint('hi')", "© 2023 Harbourlight Media Ltd."])
    person, company = sorted(found, key=lambda f: f["record_id"])
    assert person["detail"] == {"years": "2018", "holder": None, "holder_kind": "person or unknown (hashed)"}
    assert person["value_hash"] and "Oskar" not in json.dumps(person)
    assert company["detail"]["holder"] == "Harbourlight Media Ltd"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("© 2023 Harbourlight Media Ltd. All rights reserved.", "ALL_RIGHTS_RESERVED"),
        ("Alle Rechte vorbehalten.", "ALL_RIGHTS_RESERVED"),
        ("Tous droits réservés.", "ALL_RIGHTS_RESERVED"),
        ("This article may not be used to train machine-learning models.", "NO_AI_TRAINING"),
        ("The publisher reserves the right of text and data mining under Art. 4 DSM.", "NO_AI_TRAINING"),
        ("No AI training without written permission.", "NO_AI_TRAINING"),
        ("/* This file may not be redistributed or used\n * to train machine-learning models. */", "NO_AI_TRAINING"),
        ("No part of this page may not be reproduced; reproduction is prohibited.", "NO_REUSE"),
        ("By using this site you agree to our terms.", "NO_REUSE"),
    ],
)
def test_reservations_of_rights_are_found(text: str, label: str) -> None:
    assert label in {f["label"] for f in scan_texts([text])}


def test_ordinary_prose_has_no_findings() -> None:
    prose = [
        "The river rises in the hills and flows north through three market towns before reaching the sea.",
        "Copyright law differs between countries; the copyright holder may license a work to others.",
        "She trained as a nurse and later used the data to reproduce the results of an earlier study.",
        "Category:501(c)(3) nonprofit organizations",
    ]
    assert scan_texts(prose) == []


def test_protected_works_are_found_with_their_overlap(tmp_path: Path) -> None:
    work = " ".join(f"word{i}" for i in range(300))
    (tmp_path / "works").mkdir()
    (tmp_path / "works" / "novel.txt").write_text(work)
    passage = " ".join(f"word{i}" for i in range(100, 170))  # 70 words
    short = " ".join(f"word{i}" for i in range(10, 40))  # 30 words: below the threshold
    found = scan_texts(
        [f"Intro text. {passage} outro.", short, "nothing here"], protected_works=str(tmp_path / "works")
    )
    protected = [f for f in found if f["label"] == "PROTECTED_WORK"]
    assert len(protected) == 1
    hit = protected[0]
    assert hit["record_id"] == "r0" and hit["detail"] == {"work": "novel.txt", "words": 70}
    text = f"Intro text. {passage} outro."
    assert text[hit["start"] : hit["end"]] == passage


def test_a_missing_protected_works_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(provenance.InputError, match="does not exist"):
        create("ip", {"protected_works": str(tmp_path / "missing")})


def test_the_sample_corpus_planted_notices_and_conflicts(sample_data: Path, tmp_path: Path, run_cli) -> None:
    ledger = tmp_path / "s.duckdb"
    code, _, err = run_cli("scan", sample_data, "--scanners", "ip", "--ledger", ledger, "-q")
    assert code == 0, err
    with Ledger(ledger, read_only=True) as store:
        rows = store.execute(
            "SELECT o.path, o.line, f.label, json_extract_string(f.detail, '$.spdx') FROM findings f "
            "JOIN origins o USING (record_id) WHERE f.scanner = 'ip'"
        )
        holders = store.execute("SELECT detail FROM findings WHERE label = 'COPYRIGHT'")
    found = {(Path(p or "").name, line, label, spdx) for p, line, label, spdx in rows}
    assert ("snippets.jsonl", 9, "SPDX_TAG", "GPL-3.0-or-later") in found  # declared MIT
    assert ("snippets.jsonl", 1, "LICENSE_TEXT", "MIT") in found
    assert ("pages-0001.jsonl.gz", 5, "NO_AI_TRAINING", None) in found
    assert ("snippets.jsonl", 8, "NO_AI_TRAINING", None) in found
    assert ("pages-0001.jsonl.gz", 11, "LICENSE_NOTICE", "CC-BY-NC-4.0") in found
    assert ("lines.txt", 20, "LICENSE_NOTICE", "CC-BY-4.0") in found
    assert any(label == "ALL_RIGHTS_RESERVED" and name == "wire.jsonl" for name, _, label, _ in found)
    assert "Jane Example" not in " ".join(str(h[0]) for h in holders)  # a person: hashed, not named
    code, out, _ = run_cli("licenses", "--ledger", ledger, "--format", "json")
    report = provenance.MixtureReport.model_validate_json(out)
    rules = {(c.rule, c.severity.value, tuple(c.licenses)) for c in report.conclusions}
    assert ("detected-licence", "warning", ("GPL-3.0-or-later", "MIT")) in rules
    assert ("detected-licence", "warning", ("CC-BY-NC-4.0", "NOASSERTION")) in rules
    assert any(rule == "no-ai-training" and severity == "blocker" for rule, severity, _ in rules)
