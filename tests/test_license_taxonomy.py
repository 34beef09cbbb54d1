"""The licence taxonomy: every entry is well-formed and consistent with its name, and agrees with DPI's use classes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from license_expression import get_spdx_licensing

from provenance.licenses.refs import DOCUMENTED_REFS
from provenance.licenses.taxonomy import ENTRIES, TAXONOMY, terms_for, terms_of_expression
from provenance.models import Restriction, Use

DPI_CLASSES = Path(__file__).resolve().parents[2] / "shared" / "data" / "dpi" / "constants" / "license_classes.json"


@pytest.mark.parametrize("terms", ENTRIES, ids=[t.spdx for t in ENTRIES])
def test_every_entry_is_a_real_id_with_consistent_terms(terms) -> None:
    spdx = terms.spdx
    known = get_spdx_licensing().known_symbols
    assert spdx in known or spdx in DOCUMENTED_REFS or spdx == "NOASSERTION"
    assert terms.name and terms.family and terms.facts_from
    if terms.family == "creative-commons" and Restriction.unknown_terms not in terms.restrictions:
        parts = spdx.removeprefix("LicenseRef-").split("-")
        assert terms.attribution
        assert (terms.use is Use.non_commercial) == ("NC" in parts)
        assert terms.share_alike == ("SA" in parts)
        assert terms.no_derivatives == ("ND" in parts)
    if terms.family == "public-domain":
        assert terms.use is Use.commercial and not terms.attribution and not terms.share_alike
    if terms.family == "rail":
        assert Restriction.use_restrictions in terms.restrictions
    if Restriction.unknown_terms in terms.restrictions:
        assert terms.use is Use.unknown
    assert terms_for(spdx) == terms


# DPI's licence names, as its constants/license_classes.json spells them, for the entries both classify
DPI_NAMES = {
    "Academic Free License v3.0": "AFL-3.0",
    "Academic Research Purposes Only": "LicenseRef-AcademicResearchOnly",
    "Apache License 2.0": "Apache-2.0",
    "Apache 2.0": "Apache-2.0",
    "Artistic License 2.0": "Artistic-2.0",
    "BSD 2-Clause License": "BSD-2-Clause",
    "BSD 3-Clause License": "BSD-3-Clause",
    "C-UDA": "C-UDA-1.0",
    **{f"CC BY {v}": f"CC-BY-{v}" for v in ("2.0", "2.5", "3.0", "4.0")},
    **{f"CC BY-NC {v}": f"CC-BY-NC-{v}" for v in ("2.0", "3.0", "4.0")},
    **{f"CC BY-NC-ND {v}": f"CC-BY-NC-ND-{v}" for v in ("3.0", "4.0")},
    **{f"CC BY-NC-SA {v}": f"CC-BY-NC-SA-{v}" for v in ("3.0", "4.0")},
    "CC BY-ND 4.0": "CC-BY-ND-4.0",
    **{f"CC BY-SA {v}": f"CC-BY-SA-{v}" for v in ("2.0", "3.0", "4.0")},
    "CC BY-SA": "LicenseRef-CC-BY-SA",
    "CC BY SA": "LicenseRef-CC-BY-SA",
    "CC BY": "LicenseRef-CC-BY",
    "CC BY-NC-ND": "LicenseRef-CC-BY-NC-ND",
    "CC BY-NC-SA": "LicenseRef-CC-BY-NC-SA",
    "CC0 1.0": "CC0-1.0",
    "CC0": "CC0-1.0",
    "CDLA Permissive 1.0": "CDLA-Permissive-1.0",
    "CDLA Permissive 2.0": "CDLA-Permissive-2.0",
    "CDLA Sharing 1.0": "CDLA-Sharing-1.0",
    "EPL 1.0": "EPL-1.0",
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "ISC License": "ISC",
    "LGPL 2.1": "LGPL-2.1-only",
    "LGPL 3.0": "LGPL-3.0-only",
    "MIT License": "MIT",
    "MIT": "MIT",
    "MPL 2.0": "MPL-2.0",
    "Non Commercial": "LicenseRef-NonCommercial",
    "ODC BY 1.0": "ODC-By-1.0",
    "OGL 3.0": "OGL-UK-3.0",
    "BigScience OpenRAIL-M": "LicenseRef-BigScience-OpenRAIL-M",
    "Llama 2": "LicenseRef-Llama2",
    "Meta Llama3 Community License": "LicenseRef-Llama3",
    "Public Domain": "LicenseRef-PublicDomain",
}
DPI_USE = {"All": Use.commercial, "NC": Use.non_commercial, "Acad": Use.research_only}


@pytest.mark.skipif(not DPI_CLASSES.exists(), reason="needs ../shared/data/dpi (the Data Provenance Collection)")
def test_use_classes_agree_with_the_data_provenance_initiative() -> None:
    classes = json.loads(DPI_CLASSES.read_text())
    compared = 0
    for name, spdx in DPI_NAMES.items():
        assert spdx in TAXONOMY, spdx
        assert TAXONOMY[spdx].use is DPI_USE[classes[name][0]], (name, spdx)
        compared += 1
    assert compared >= 45


@pytest.mark.parametrize(
    ("expression", "spdx", "use"),
    [
        ("MIT OR GPL-3.0-only", "MIT", Use.commercial),  # the user may pick the permissive one
        ("CC-BY-NC-4.0 OR CC-BY-4.0", "CC-BY-4.0", Use.commercial),
        ("MIT AND CC-BY-NC-4.0", "MIT AND CC-BY-NC-4.0", Use.non_commercial),  # both bind
        ("CC-BY-SA-3.0-DE", "CC-BY-SA-3.0-DE", Use.commercial),  # ports have their version's terms
        ("GPL-3.0", "GPL-3.0-only", Use.commercial),  # deprecated ids read as today's
        ("LicenseRef-Acme-Internal", "LicenseRef-Acme-Internal", Use.unknown),  # custom: never guessed
    ],
)
def test_expressions_combine_terms(expression: str, spdx: str, use: Use) -> None:
    terms = terms_of_expression(expression)
    assert (terms.spdx, terms.use) == (spdx, use)


def test_and_expressions_carry_every_obligation() -> None:
    terms = terms_of_expression("CC-BY-SA-4.0 AND CC-BY-ND-4.0")
    assert terms.share_alike and terms.no_derivatives and terms.attribution
