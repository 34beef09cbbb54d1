"""The licence ids a Hugging Face card may carry in ``license:``, read as SPDX.

The Hub accepts a fixed list (https://huggingface.co/docs/hub/repositories-licenses). Most are SPDX ids in lower
case; the rest are licence families ("gpl", "cc"), model licences (OpenRAIL, Llama, Gemma) or placeholders, which
map to the toolkit's documented ``LicenseRef-`` ids. A family never becomes one of its versions: that would be a
guess. Single-version licences (ODC-By, ODbL, PDDL, C-UDA) map to that version, which is the only reading there is.
The full names are the Hub's own, so a card's rendered licence name resolves too.
"""

from __future__ import annotations

# HF id -> (SPDX id or documented LicenseRef, the Hub's full name)
HF_LICENSES: dict[str, tuple[str, str]] = {
    "apache-2.0": ("Apache-2.0", "Apache license 2.0"),
    "mit": ("MIT", "MIT"),
    "openrail": ("LicenseRef-OpenRAIL", "OpenRAIL license family"),
    "bigscience-openrail-m": ("LicenseRef-BigScience-OpenRAIL-M", "BigScience OpenRAIL-M"),
    "creativeml-openrail-m": ("LicenseRef-CreativeML-OpenRAIL-M", "CreativeML OpenRAIL-M"),
    "bigscience-bloom-rail-1.0": ("LicenseRef-BigScience-BLOOM-RAIL-1.0", "BigScience BLOOM RAIL 1.0"),
    "bigcode-openrail-m": ("LicenseRef-BigCode-OpenRAIL-M", "BigCode Open RAIL-M v1"),
    "afl-3.0": ("AFL-3.0", "Academic Free License v3.0"),
    "artistic-2.0": ("Artistic-2.0", "Artistic license 2.0"),
    "bsl-1.0": ("BSL-1.0", "Boost Software License 1.0"),
    "bsd": ("LicenseRef-BSD-unspecified", "BSD license family"),
    "bsd-2-clause": ("BSD-2-Clause", 'BSD 2-clause "Simplified" license'),
    "bsd-3-clause": ("BSD-3-Clause", 'BSD 3-clause "New" or "Revised" license'),
    "bsd-3-clause-clear": ("BSD-3-Clause-Clear", "BSD 3-clause Clear license"),
    "c-uda": ("C-UDA-1.0", "Computational Use of Data Agreement"),
    "cc": ("LicenseRef-CC-unspecified", "Creative Commons license family"),
    "cc0-1.0": ("CC0-1.0", "Creative Commons Zero v1.0 Universal"),
    "cc-by-2.0": ("CC-BY-2.0", "Creative Commons Attribution 2.0"),
    "cc-by-2.5": ("CC-BY-2.5", "Creative Commons Attribution 2.5"),
    "cc-by-3.0": ("CC-BY-3.0", "Creative Commons Attribution 3.0"),
    "cc-by-4.0": ("CC-BY-4.0", "Creative Commons Attribution 4.0"),
    "cc-by-sa-3.0": ("CC-BY-SA-3.0", "Creative Commons Attribution Share Alike 3.0"),
    "cc-by-sa-4.0": ("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0"),
    "cc-by-nc-2.0": ("CC-BY-NC-2.0", "Creative Commons Attribution Non Commercial 2.0"),
    "cc-by-nc-3.0": ("CC-BY-NC-3.0", "Creative Commons Attribution Non Commercial 3.0"),
    "cc-by-nc-4.0": ("CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0"),
    "cc-by-nd-4.0": ("CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0"),
    "cc-by-nc-nd-3.0": ("CC-BY-NC-ND-3.0", "Creative Commons Attribution Non Commercial No Derivatives 3.0"),
    "cc-by-nc-nd-4.0": ("CC-BY-NC-ND-4.0", "Creative Commons Attribution Non Commercial No Derivatives 4.0"),
    "cc-by-nc-sa-2.0": ("CC-BY-NC-SA-2.0", "Creative Commons Attribution Non Commercial Share Alike 2.0"),
    "cc-by-nc-sa-3.0": ("CC-BY-NC-SA-3.0", "Creative Commons Attribution Non Commercial Share Alike 3.0"),
    "cc-by-nc-sa-4.0": ("CC-BY-NC-SA-4.0", "Creative Commons Attribution Non Commercial Share Alike 4.0"),
    "cdla-sharing-1.0": ("CDLA-Sharing-1.0", "Community Data License Agreement - Sharing, Version 1.0"),
    "cdla-permissive-1.0": ("CDLA-Permissive-1.0", "Community Data License Agreement - Permissive, Version 1.0"),
    "cdla-permissive-2.0": ("CDLA-Permissive-2.0", "Community Data License Agreement - Permissive, Version 2.0"),
    "wtfpl": ("WTFPL", "Do What The F*ck You Want To Public License"),
    "ecl-2.0": ("ECL-2.0", "Educational Community License v2.0"),
    "epl-1.0": ("EPL-1.0", "Eclipse Public License 1.0"),
    "epl-2.0": ("EPL-2.0", "Eclipse Public License 2.0"),
    "etalab-2.0": ("etalab-2.0", "Etalab Open License 2.0"),
    "eupl-1.1": ("EUPL-1.1", "European Union Public License 1.1"),
    "eupl-1.2": ("EUPL-1.2", "European Union Public License 1.2"),
    # the Hub's GNU ids do not say "only" or "or later"; like license-expression we read a named version as "only"
    "agpl-3.0": ("AGPL-3.0-only", "GNU Affero General Public License v3.0"),
    "gfdl": ("LicenseRef-GFDL-unversioned", "GNU Free Documentation License family"),
    "gpl": ("LicenseRef-GPL-unversioned", "GNU General Public License family"),
    "gpl-2.0": ("GPL-2.0-only", "GNU General Public License v2.0"),
    "gpl-3.0": ("GPL-3.0-only", "GNU General Public License v3.0"),
    "lgpl": ("LicenseRef-LGPL-unversioned", "GNU Lesser General Public License family"),
    "lgpl-2.1": ("LGPL-2.1-only", "GNU Lesser General Public License v2.1"),
    "lgpl-3.0": ("LGPL-3.0-only", "GNU Lesser General Public License v3.0"),
    "isc": ("ISC", "ISC"),
    "h-research": ("LicenseRef-H-Research", "H Company Research License"),
    "intel-research": ("LicenseRef-Intel-Research", "Intel Research Use License Agreement"),
    "lppl-1.3c": ("LPPL-1.3c", "LaTeX Project Public License v1.3c"),
    "ms-pl": ("MS-PL", "Microsoft Public License"),
    "apple-ascl": ("LicenseRef-Apple-ASCL", "Apple Sample Code License"),
    "apple-amlr": ("LicenseRef-Apple-AMLR", "Apple Model License for Research"),
    "mpl-2.0": ("MPL-2.0", "Mozilla Public License 2.0"),
    "odc-by": ("ODC-By-1.0", "Open Data Commons License Attribution family"),
    "odbl": ("ODbL-1.0", "Open Database License family"),
    "openmdw-1.0": ("LicenseRef-scancode-openmdw-1.0", "OpenMDW License 1.0"),
    "openrail++": ("LicenseRef-OpenRAIL++", "Open Rail++-M License"),
    "osl-3.0": ("OSL-3.0", "Open Software License 3.0"),
    "postgresql": ("PostgreSQL", "PostgreSQL License"),
    "ofl-1.1": ("OFL-1.1", "SIL Open Font License 1.1"),
    "ncsa": ("NCSA", "University of Illinois/NCSA Open Source License"),
    "unlicense": ("Unlicense", "The Unlicense"),
    "zlib": ("Zlib", "zLib License"),
    "pddl": ("PDDL-1.0", "Open Data Commons Public Domain Dedication and License"),
    "lgpl-lr": ("LGPLLR", "Lesser General Public License For Linguistic Resources"),
    "deepfloyd-if-license": ("LicenseRef-DeepFloyd-IF", "DeepFloyd IF Research License Agreement"),
    "fair-noncommercial-research-license": (
        "LicenseRef-FAIR-Noncommercial-Research",
        "FAIR Noncommercial Research License",
    ),
    "llama2": ("LicenseRef-Llama2", "Llama 2 Community License Agreement"),
    "llama3": ("LicenseRef-Llama3", "Meta Llama 3 Community License Agreement"),
    "llama3.1": ("LicenseRef-Llama3.1", "Llama 3.1 Community License Agreement"),
    "llama3.2": ("LicenseRef-Llama3.2", "Llama 3.2 Community License Agreement"),
    "llama3.3": ("LicenseRef-Llama3.3", "Llama 3.3 Community License Agreement"),
    "llama4": ("LicenseRef-Llama4", "Llama 4 Community License Agreement"),
    "grok2-community": ("LicenseRef-Grok2-Community", "Grok 2 Community License Agreement"),
    "gemma": ("LicenseRef-Gemma", "Gemma Terms of Use"),
    "unknown": ("NOASSERTION", "Unknown"),
    "other": ("LicenseRef-other", "Other"),
}


def hf_license(text: str) -> str | None:
    """The SPDX id (or documented ref) of a Hugging Face licence id, in any case; None if it is not one."""
    entry = HF_LICENSES.get(text.strip().lower())
    return entry[0] if entry else None
