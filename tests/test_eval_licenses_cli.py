"""`provenance eval licenses` on the labelled licence texts in ../shared/data/licenses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LICENSES = Path(__file__).resolve().parents[2] / "shared" / "data" / "licenses"


@pytest.mark.skipif(not LICENSES.exists(), reason="needs ../shared/data/licenses (licensee fixtures, choosealicense)")
@pytest.mark.parametrize("gold", ["choosealicense", "licensee_fixtures"])
def test_eval_licenses_scores_each_gold_set(gold: str, tmp_path: Path, run_cli) -> None:
    predictions = tmp_path / "p.jsonl"
    code, out, err = run_cli(
        "eval", "licenses", "--gold", LICENSES / gold, "--format", "json", "--predictions", predictions, timeout=300
    )
    assert code == 0, err
    scores = json.loads(out)
    assert scores["cases"] >= 40
    assert scores["accuracy"] >= 0.95, scores["misses"]
    assert scores["wrong_where_none"] == 0
    lines = predictions.read_text().splitlines()
    assert len(lines) == scores["cases"] and all("spdx" in json.loads(line) for line in lines)


def test_eval_licenses_on_a_folder_without_labels_is_a_clear_error(tmp_path: Path, run_cli) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("eval", "licenses", "--gold", tmp_path / "empty")
    assert code != 0 and "Traceback" not in err and "empty" in err
