"""Charts (SVG and PNG) and the self-contained HTML report, from a ledger built from a small corpus."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import provenance
from provenance.cards import charts
from provenance.cards.html_report import write_html_report
from provenance.ledger import Ledger

EVIL_NAME = "<script>alert('x')</script> & Co"
WOMEN = [f"The older women of the village met on day {i} to plan the harvest festival together." for i in range(12)]
MEN = [f"The men of the harbour repaired boat number {i} before the storm." for i in range(3)]
EMAILS = [f"Post {i}: write to member{i}@example.org to join the reading group on Thursday." for i in range(4)]
GERMAN = [f"Die Stadtbibliothek öffnet am Montag, dem {i}. Mai, wieder ihre Türen für alle Leser." for i in range(1, 6)]
CODE = ["# SPDX-License-Identifier: Apache-2.0\nprint('hello, world')", "# SPDX-License-Identifier: MIT\nx = 1"]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("charts")
    corpus = {
        "forum": ("CC-BY-NC-4.0", WOMEN + MEN + EMAILS),
        "news": ("CC-BY-SA-4.0", GERMAN),
        "code": ("LicenseRef-Custom-Terms", CODE),
    }
    lines = ["version: 1", "sources:"]
    for sid, (license, texts) in corpus.items():
        body = "".join(json.dumps({"text": t}) + "\n" for t in texts)
        if sid == "news":
            body += "{not json\n"  # one unreadable line
        (root / f"{sid}.jsonl").write_text(body)
        name = EVIL_NAME if sid == "forum" else f"Source {sid}"
        lines += [
            f"  - id: {sid}",
            f"    name: {json.dumps(name)}",
            f"    license: '{license}'",
            "    consent_basis: licence_grant",
            "    collection_method: web_scraping",
            "    languages: [en]",
            "    data:",
            f"      - path: {sid}.jsonl",
        ]
    (root / "sources.yaml").write_text("\n".join(lines) + "\n")
    provenance.scan(
        root,
        root / "l.duckdb",
        scanners=["pii", "ip", "language", "demographics"],
        scanner_config={"ip": {"identify_texts": False}},  # matching full licence texts is slow to load
    )
    return root / "l.duckdb"


def svg_text(path: Path) -> list[str]:
    tree = ET.parse(path)  # well-formed XML
    return [el.text or "" for el in tree.iter() if el.tag.endswith("text")]


def test_svg_charts_show_the_measured_labels(ledger: Path, tmp_path: Path) -> None:
    written = charts.write_charts(ledger, tmp_path, formats=["svg"])
    assert set(written) == {"languages", "demographics", "licences", "pii"}
    assert all(files == [tmp_path / f"chart-{name}.svg"] for name, files in written.items())
    languages = svg_text(tmp_path / "chart-languages.svg")
    assert "en" in languages and "de" in languages
    assert any(t.startswith("share of characters") for t in languages)
    licences = svg_text(tmp_path / "chart-licences.svg")
    assert {"CC-BY-NC-4.0", "CC-BY-SA-4.0", "LicenseRef-Custom-Terms"} <= set(licences)
    assert licences.index("CC-BY-NC-4.0") < licences.index("CC-BY-SA-4.0")  # sorted: most records first
    assert "non-commercial only" in licences and "terms unknown" in licences  # legend of use classes
    assert "5 · 19.2% · share-alike" in licences
    svg = (tmp_path / "chart-licences.svg").read_text()
    assert charts.USE_COLOURS[provenance.models.Use.non_commercial] in svg
    pii = svg_text(tmp_path / "chart-pii.svg")
    assert "EMAIL_ADDRESS" in pii and "15.4% · 4 records" in pii  # 4 of 26 scanned records
    demographics = svg_text(tmp_path / "chart-demographics.svg")
    assert "feminine" in demographics and "gender and sex (15 records mention it)" in demographics
    assert not any("masculine" in t for t in demographics)  # 3 records only: suppressed, and it says so
    assert "1 group(s) under 10 records omitted (suppressed)" in demographics


def test_svg_is_deterministic_and_has_no_ids_or_dates(ledger: Path, tmp_path: Path) -> None:
    a = charts.write_charts(ledger, tmp_path / "a", formats=["svg"])
    b = charts.write_charts(ledger, tmp_path / "b", formats=["svg"])
    for name in a:
        text = a[name][0].read_text()
        assert text == b[name][0].read_text()
        assert " id=" not in text and not re.search(r"20\d\d-\d\d-\d\d", text)


def test_png_charts(ledger: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    written = charts.write_charts(ledger, tmp_path)
    for name, files in written.items():
        assert [f.suffix for f in files] == [".svg", ".png"]
        assert files[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert files[1].stat().st_size > 5000, name


def test_png_without_matplotlib(ledger: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(charts, "png_available", lambda: False)
    written = charts.write_charts(ledger, tmp_path)  # SVG only, no error
    assert all([f.suffix for f in files] == [".svg"] for files in written.values())
    with pytest.raises(provenance.MissingExtraError, match="matplotlib") as err:
        charts.write_charts(ledger, tmp_path, formats=["svg", "png"])
    assert "provenance-toolkit[charts]" in str(err.value)


def test_charts_of_an_unscanned_ledger(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "hello there"}\n')
    (tmp_path / "sources.yaml").write_text(
        "version: 1\nsources:\n  - id: a\n    name: A\n    license: MIT\n    consent_basis: licence_grant\n"
        "    collection_method: api\n    data:\n      - path: a.jsonl\n"
    )
    provenance.ingest(tmp_path, tmp_path / "l.duckdb")
    written = charts.write_charts(tmp_path / "l.duckdb", tmp_path / "out", formats=["svg"])
    assert list(written) == ["licences"]  # nothing measured, nothing drawn


def test_html_report_is_self_contained_escaped_and_complete(ledger: Path, tmp_path: Path) -> None:
    out = write_html_report(ledger, tmp_path / "report" / "index.html")
    html = out.read_text(encoding="utf-8")
    # nothing fetched, nothing run
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in html
    for heading in (
        "Summary",
        "Sources",
        "Licences",
        "Personal data",
        "Rights statements in the text",
        "Languages",
        "Demographic mentions",
        "Unreadable lines",
        "What was not looked for",
        "Scanners",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<svg") == 4 and "<figure>" in html
    assert "not usable for commercial model training" in html  # CC-BY-NC-4.0 blocks commercial use
    assert "EMAIL_ADDRESS" in html and "SPDX_TAG" in html
    assert "invalid JSON" in html  # the unreadable line, with its reason
    assert "names of people, places and organisations" in html  # not looked for without a NER model
    assert re.search(r"pii@[\d.]+#[0-9a-f]+", html)  # scanner stamps
    assert "member1@example.org" not in html and "harvest festival" not in html  # no values, no record text


def test_html_report_of_an_open_ledger(ledger: Path, tmp_path: Path) -> None:
    with Ledger(ledger, read_only=True) as store:
        out = write_html_report(store, tmp_path / "r.html", title="Release 3 <beta>")
    assert "<title>Release 3 &lt;beta&gt;</title>" in out.read_text()
