"""What each licence allows and asks: use, attribution, share-alike, no-derivatives, and other restrictions.

The facts come from the licences' own terms (Creative Commons legal code, Open Data Commons, CDLA, the OSI licence
texts, the RAIL and Llama licences). The use class of every licence that the Data Provenance Initiative also
classifies (``constants/license_classes.json`` of the Data Provenance Collection, Apache-2.0) agrees with DPI's; a
test holds the two together. An id missing here has unknown terms: the mixture check says so instead of guessing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..models.licenses import LicenseTerms, Restriction, Use
from .refs import DOCUMENTED_REFS

_CC_NAMES = {
    "BY": "Attribution",
    "BY-SA": "Attribution-ShareAlike",
    "BY-NC": "Attribution-NonCommercial",
    "BY-NC-SA": "Attribution-NonCommercial-ShareAlike",
    "BY-ND": "Attribution-NoDerivatives",
    "BY-NC-ND": "Attribution-NonCommercial-NoDerivatives",
}
_CC_VERSIONS = ("1.0", "2.0", "2.5", "3.0", "4.0")
# ported CC licences (CC-BY-SA-3.0-DE, CC-BY-3.0-IGO, CC-BY-SA-2.1-JP) have their international version's terms
_CC_PORTED = re.compile(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-(\d\.\d)-[A-Z]+$")


def _t(
    spdx: str,
    name: str,
    family: str,
    use: Use,
    attribution: bool,
    share_alike: bool = False,
    no_derivatives: bool = False,
    restrictions: tuple[Restriction, ...] = (),
    facts_from: str = "the licence text",
) -> LicenseTerms:
    return LicenseTerms(
        spdx=spdx,
        name=name,
        family=family,
        use=use,
        attribution=attribution,
        share_alike=share_alike,
        no_derivatives=no_derivatives,
        restrictions=list(restrictions),
        facts_from=facts_from,
    )


def _creative_commons() -> list[LicenseTerms]:
    out = []
    for kind, words in _CC_NAMES.items():
        use = Use.non_commercial if "NC" in kind else Use.commercial
        sa, nd = "SA" in kind, "ND" in kind
        for version in _CC_VERSIONS:
            out.append(
                _t(
                    f"CC-{kind}-{version}",
                    f"Creative Commons {words} {version}",
                    "creative-commons",
                    use,
                    True,
                    sa,
                    nd,
                    facts_from="Creative Commons legal code",
                )
            )
        out.append(
            _t(
                f"LicenseRef-CC-{kind}",
                f"Creative Commons {words} (version not stated)",
                "creative-commons",
                use,
                True,
                sa,
                nd,
                facts_from="Creative Commons legal code (the same in every version)",
            )
        )
    return out


_PD = "public-domain"
_PERMISSIVE = "osi-permissive"
_COPYLEFT = "copyleft"
_DATA = "open-data"
_RAIL = "rail"
_MODEL = "model-licence"
_CUSTOM = "custom"
_C, _NC, _R, _U = Use.commercial, Use.non_commercial, Use.research_only, Use.unknown
_RAIL_RESTRICTIONS = (Restriction.use_restrictions,)

ENTRIES: tuple[LicenseTerms, ...] = (
    *_creative_commons(),
    _t("CC0-1.0", "Creative Commons Zero 1.0", _PD, _C, False, facts_from="Creative Commons legal code"),
    _t("CC-PDDC", "Creative Commons Public Domain Dedication and Certification", _PD, _C, False),
    _t("LicenseRef-PublicDomain", "Public domain", _PD, _C, False),
    _t("PDDL-1.0", "Open Data Commons Public Domain Dedication and License 1.0", _PD, _C, False),
    _t("Unlicense", "The Unlicense", _PD, _C, False),
    _t("ODC-By-1.0", "Open Data Commons Attribution License 1.0", _DATA, _C, True),
    _t("ODbL-1.0", "Open Data Commons Open Database License 1.0", _DATA, _C, True, share_alike=True),
    _t("CDLA-Permissive-1.0", "Community Data License Agreement Permissive 1.0", _DATA, _C, True),
    _t("CDLA-Permissive-2.0", "Community Data License Agreement Permissive 2.0", _DATA, _C, True),
    _t("CDLA-Sharing-1.0", "Community Data License Agreement Sharing 1.0", _DATA, _C, True, share_alike=True),
    _t(
        "C-UDA-1.0",
        "Computational Use of Data Agreement 1.0",
        _DATA,
        _C,
        True,
        restrictions=(Restriction.computational_use_only,),
    ),
    _t("etalab-2.0", "Etalab Open License 2.0", _DATA, _C, True),
    _t("OGL-UK-3.0", "Open Government Licence v3.0", _DATA, _C, True),
    _t("DL-DE-BY-2.0", "Data licence Germany - attribution - version 2.0", _DATA, _C, True),
    _t("DL-DE-ZERO-2.0", "Data licence Germany - zero - version 2.0", _DATA, _C, False),
    _t("MIT", "MIT License", _PERMISSIVE, _C, True),
    _t("MIT-0", "MIT No Attribution", _PERMISSIVE, _C, False),
    _t("0BSD", "BSD Zero Clause License", _PERMISSIVE, _C, False),
    _t("Apache-2.0", "Apache License 2.0", _PERMISSIVE, _C, True),
    _t("BSD-2-Clause", "BSD 2-Clause License", _PERMISSIVE, _C, True),
    _t("BSD-3-Clause", "BSD 3-Clause License", _PERMISSIVE, _C, True),
    _t("BSD-3-Clause-Clear", "BSD 3-Clause Clear License", _PERMISSIVE, _C, True),
    _t("ISC", "ISC License", _PERMISSIVE, _C, True),
    _t("Zlib", "zlib License", _PERMISSIVE, _C, True),
    _t("BSL-1.0", "Boost Software License 1.0", _PERMISSIVE, _C, True),
    _t("Artistic-2.0", "Artistic License 2.0", _PERMISSIVE, _C, True),
    _t("AFL-3.0", "Academic Free License 3.0", _PERMISSIVE, _C, True),
    _t("ECL-2.0", "Educational Community License 2.0", _PERMISSIVE, _C, True),
    _t("MS-PL", "Microsoft Public License", _PERMISSIVE, _C, True),
    _t("NCSA", "University of Illinois/NCSA Open Source License", _PERMISSIVE, _C, True),
    _t("PostgreSQL", "PostgreSQL License", _PERMISSIVE, _C, True),
    _t("Python-2.0", "Python License 2.0", _PERMISSIVE, _C, True),
    _t("WTFPL", "Do What The F*ck You Want To Public License", _PERMISSIVE, _C, False),
    _t("OFL-1.1", "SIL Open Font License 1.1", _COPYLEFT, _C, True, share_alike=True),
    _t("LPPL-1.3c", "LaTeX Project Public License 1.3c", _COPYLEFT, _C, True),
    *(
        _t(spdx, name, _COPYLEFT, _C, True, share_alike=True)
        for spdx, name in (
            ("GPL-2.0-only", "GNU General Public License v2.0 only"),
            ("GPL-2.0-or-later", "GNU General Public License v2.0 or later"),
            ("GPL-3.0-only", "GNU General Public License v3.0 only"),
            ("GPL-3.0-or-later", "GNU General Public License v3.0 or later"),
            ("LGPL-2.1-only", "GNU Lesser General Public License v2.1 only"),
            ("LGPL-2.1-or-later", "GNU Lesser General Public License v2.1 or later"),
            ("LGPL-3.0-only", "GNU Lesser General Public License v3.0 only"),
            ("LGPL-3.0-or-later", "GNU Lesser General Public License v3.0 or later"),
            ("AGPL-3.0-only", "GNU Affero General Public License v3.0 only"),
            ("AGPL-3.0-or-later", "GNU Affero General Public License v3.0 or later"),
            ("GFDL-1.3-only", "GNU Free Documentation License v1.3 only"),
            ("GFDL-1.3-or-later", "GNU Free Documentation License v1.3 or later"),
            ("MPL-2.0", "Mozilla Public License 2.0"),
            ("EPL-1.0", "Eclipse Public License 1.0"),
            ("EPL-2.0", "Eclipse Public License 2.0"),
            ("EUPL-1.1", "European Union Public License 1.1"),
            ("EUPL-1.2", "European Union Public License 1.2"),
            ("OSL-3.0", "Open Software License 3.0"),
        )
    ),
    _t("LicenseRef-OpenRAIL", "OpenRAIL", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t("LicenseRef-OpenRAIL-M", "OpenRAIL-M", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t("LicenseRef-OpenRAIL-D", "OpenRAIL-D", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t("LicenseRef-OpenRAIL-S", "OpenRAIL-S", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t("LicenseRef-OpenRAIL++", "OpenRAIL++-M", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t("LicenseRef-CreativeML-OpenRAIL-M", "CreativeML OpenRAIL-M", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t("LicenseRef-BigScience-OpenRAIL-M", "BigScience OpenRAIL-M", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t(
        "LicenseRef-BigScience-BLOOM-RAIL-1.0",
        "BigScience BLOOM RAIL 1.0",
        _RAIL,
        _C,
        True,
        restrictions=_RAIL_RESTRICTIONS,
    ),
    _t("LicenseRef-BigCode-OpenRAIL-M", "BigCode OpenRAIL-M", _RAIL, _C, True, restrictions=_RAIL_RESTRICTIONS),
    _t(
        "LicenseRef-Llama2",
        "Llama 2 Community License",
        _MODEL,
        _C,
        True,
        restrictions=(
            Restriction.model_licence,
            Restriction.use_restrictions,
            Restriction.user_threshold,
            Restriction.no_improving_other_models,
        ),
    ),
    *(
        _t(
            f"LicenseRef-Llama{v}",
            f"Llama {v} Community License",
            _MODEL,
            _C,
            True,
            restrictions=(Restriction.model_licence, Restriction.use_restrictions, Restriction.user_threshold),
        )
        for v in ("3", "3.1", "3.2", "3.3")
    ),
    _t(
        "LicenseRef-Gemma",
        "Gemma Terms of Use",
        _MODEL,
        _C,
        True,
        restrictions=(Restriction.model_licence, Restriction.use_restrictions),
    ),
    _t(
        "LicenseRef-Llama4",
        "Llama 4 Community License",
        _MODEL,
        _C,
        True,
        restrictions=(Restriction.model_licence, Restriction.use_restrictions, Restriction.user_threshold),
    ),
    _t(
        "LicenseRef-Grok2-Community",
        "Grok 2 Community License Agreement",
        _MODEL,
        _U,
        True,
        restrictions=(Restriction.model_licence, Restriction.use_restrictions),
    ),
    _t(
        "LicenseRef-DeepFloyd-IF",
        "DeepFloyd IF Research License Agreement",
        _MODEL,
        _R,
        True,
        restrictions=(Restriction.model_licence,),
    ),
    _t(
        "LicenseRef-Apple-AMLR",
        "Apple Model License for Research",
        _MODEL,
        _R,
        True,
        restrictions=(Restriction.model_licence,),
    ),
    _t(
        "LicenseRef-Intel-Research",
        "Intel Research Use License Agreement",
        _MODEL,
        _R,
        True,
        restrictions=(Restriction.model_licence,),
    ),
    _t(
        "LicenseRef-H-Research",
        "H Company Research License",
        _MODEL,
        _R,
        True,
        restrictions=(Restriction.model_licence,),
    ),
    _t(
        "LicenseRef-FAIR-Noncommercial-Research",
        "FAIR Noncommercial Research License",
        _MODEL,
        _NC,
        True,
        restrictions=(Restriction.model_licence,),
    ),
    _t("LicenseRef-Apple-ASCL", "Apple Sample Code License", _PERMISSIVE, _C, True),
    _t("LicenseRef-BSD-unspecified", "a BSD licence (which clauses not stated)", _PERMISSIVE, _C, True),
    _t(
        "LicenseRef-GPL-unversioned",
        "GNU General Public License (version not stated)",
        _COPYLEFT,
        _C,
        True,
        share_alike=True,
    ),
    _t(
        "LicenseRef-LGPL-unversioned",
        "GNU Lesser General Public License (version not stated)",
        _COPYLEFT,
        _C,
        True,
        share_alike=True,
    ),
    _t(
        "LicenseRef-GFDL-unversioned",
        "GNU Free Documentation License (version not stated)",
        _COPYLEFT,
        _C,
        True,
        share_alike=True,
    ),
    _t(
        "LicenseRef-OANC",
        "Open American National Corpus licence",
        _DATA,
        _C,
        True,
        facts_from="the Data Provenance Initiative's use class",
    ),
    _t(
        "LicenseRef-AccessByRequest",
        "Access by request form",
        _CUSTOM,
        _U,
        False,
        restrictions=(Restriction.unknown_terms,),
    ),
    _t(
        "LicenseRef-MSR-Data-License",
        "Microsoft Research Data License Agreement",
        _CUSTOM,
        _R,
        True,
        facts_from="the Data Provenance Initiative's use class",
    ),
    _t(
        "LicenseRef-AI2-ImpACT-LR",
        "AI2 ImpACT License for low-risk artifacts",
        _CUSTOM,
        _C,
        True,
        restrictions=(Restriction.use_restrictions,),
    ),
    _t(
        "LicenseRef-LMSYS-Chat-1M",
        "LMSYS-Chat-1M Dataset License Agreement",
        _CUSTOM,
        _C,
        False,
        restrictions=(Restriction.use_restrictions,),
    ),
    _t("LicenseRef-AcademicResearchOnly", "Academic or research use only", _CUSTOM, _R, True),
    _t("LicenseRef-NonCommercial", "Non-commercial use only", _CUSTOM, _NC, True),
    _t(
        "LicenseRef-TermsOfService",
        "Terms of service",
        _CUSTOM,
        _U,
        False,
        restrictions=(Restriction.terms_of_service, Restriction.unknown_terms),
    ),
    _t("LicenseRef-NoAITraining", "No AI training", _CUSTOM, _U, False, restrictions=(Restriction.no_ai_training,)),
    _t(
        "LicenseRef-CC-unspecified",
        "a Creative Commons licence (which one not stated)",
        "creative-commons",
        _U,
        True,
        restrictions=(Restriction.unknown_terms,),
    ),
    _t("LicenseRef-other", "Other terms", _CUSTOM, _U, False, restrictions=(Restriction.unknown_terms,)),
    _t(
        "NOASSERTION",
        "No licence stated (all rights reserved unless the owner says otherwise)",
        _CUSTOM,
        _U,
        False,
        restrictions=(Restriction.unknown_terms,),
    ),
)

TAXONOMY: dict[str, LicenseTerms] = {t.spdx: t for t in ENTRIES}
# ids SPDX keeps for compatibility, read as their current meaning
_ALIASES = {
    "GPL-2.0": "GPL-2.0-only",
    "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-3.0": "GPL-3.0-only",
    "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only",
    "LGPL-3.0+": "LGPL-3.0-or-later",
    "AGPL-3.0": "AGPL-3.0-only",
    "GFDL-1.3": "GFDL-1.3-only",
}


# ids license-expression rewrites when it parses an expression, back to ours
_REWRITTEN = {"LicenseRef-scancode-public-domain": "LicenseRef-PublicDomain"}


def custom_terms(spdx_id: str) -> LicenseTerms:
    """A user's own ``LicenseRef-``: terms the toolkit cannot know."""
    return _t(
        spdx_id,
        DOCUMENTED_REFS.get(spdx_id, f"custom terms ({spdx_id})"),
        _CUSTOM,
        _U,
        False,
        restrictions=(Restriction.unknown_terms,),
        facts_from="not known: custom terms",
    )


@lru_cache(maxsize=4096)
def terms_for(spdx_id: str) -> LicenseTerms:
    """The terms of one licence id; custom and unlisted ids get unknown terms, never a guess."""
    spdx_id = _ALIASES.get(spdx_id, spdx_id)
    if spdx_id in TAXONOMY:
        return TAXONOMY[spdx_id]
    ported = _CC_PORTED.match(spdx_id)
    if ported and f"CC-{ported[1]}-{ported[2]}" in TAXONOMY:
        base = TAXONOMY[f"CC-{ported[1]}-{ported[2]}"]
        return base.model_copy(update={"spdx": spdx_id, "name": f"{base.name} ({spdx_id.rsplit('-', 1)[1]} port)"})
    return custom_terms(spdx_id)


_USE_ORDER = [Use.commercial, Use.non_commercial, Use.research_only, Use.unknown]


def most_restrictive(uses: list[Use]) -> Use:
    return max(uses, key=_USE_ORDER.index, default=Use.commercial)


def least_restrictive(uses: list[Use]) -> Use:
    return min(uses, key=_USE_ORDER.index, default=Use.unknown)


def terms_of_expression(expression: str) -> LicenseTerms:
    """Terms of an SPDX expression: ``A OR B`` lets the user pick the more permissive, ``A AND B`` binds both."""
    from license_expression import AND, OR, LicenseSymbol, get_spdx_licensing

    if expression in TAXONOMY or " " not in expression:
        return terms_for(expression)
    try:
        parsed = get_spdx_licensing().parse(expression, validate=False)
    except Exception:  # an unparseable stored expression has unknown terms
        return custom_terms(expression)

    def combine(node) -> LicenseTerms:
        if isinstance(node, LicenseSymbol):
            return terms_for(_REWRITTEN.get(node.key, node.key))
        parts = [combine(arg) for arg in node.args]
        if isinstance(node, OR):
            return min(parts, key=_restrictiveness)
        if isinstance(node, AND):
            return _t(
                expression,
                " and ".join(p.name for p in parts),
                "mixed",
                most_restrictive([p.use for p in parts]),
                any(p.attribution for p in parts),
                any(p.share_alike for p in parts),
                any(p.no_derivatives for p in parts),
                tuple(dict.fromkeys(r for p in parts for r in p.restrictions)),
                facts_from="each licence of the expression",
            )
        return terms_for(str(node))  # WITH exceptions: the licence's own terms

    return combine(parsed)


def _restrictiveness(terms: LicenseTerms) -> tuple[int, int, int, int, int]:
    return (
        _USE_ORDER.index(terms.use),
        int(terms.no_derivatives),
        int(terms.share_alike),
        len(terms.restrictions),
        int(terms.attribution),
    )
