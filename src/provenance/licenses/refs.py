"""The ``LicenseRef-`` ids the toolkit itself defines, for terms the SPDX list has no id for.

Normalisation maps what people write to these (Hugging Face's ``openrail`` or ``llama3``, an unversioned "CC BY-SA",
"public domain"), and the taxonomy gives each its obligations. Any other ``LicenseRef-`` is a user's own custom
terms: kept as written, with obligations unknown until the user declares them.
"""

from __future__ import annotations

# id -> what it stands for (shown in reports and cards)
DOCUMENTED_REFS: dict[str, str] = {
    "LicenseRef-PublicDomain": "public domain (no licence; a statement that the work is not under copyright)",
    "LicenseRef-CC-BY": "Creative Commons Attribution, version not stated",
    "LicenseRef-CC-BY-SA": "Creative Commons Attribution-ShareAlike, version not stated",
    "LicenseRef-CC-BY-NC": "Creative Commons Attribution-NonCommercial, version not stated",
    "LicenseRef-CC-BY-NC-SA": "Creative Commons Attribution-NonCommercial-ShareAlike, version not stated",
    "LicenseRef-CC-BY-ND": "Creative Commons Attribution-NoDerivatives, version not stated",
    "LicenseRef-CC-BY-NC-ND": "Creative Commons Attribution-NonCommercial-NoDerivatives, version not stated",
    "LicenseRef-CC-unspecified": "a Creative Commons licence, which one not stated (Hugging Face id 'cc')",
    "LicenseRef-OpenRAIL": "Open Responsible AI Licence (OpenRAIL), generic",
    "LicenseRef-OpenRAIL-M": "OpenRAIL-M (models)",
    "LicenseRef-OpenRAIL-D": "OpenRAIL-D (data)",
    "LicenseRef-OpenRAIL-S": "OpenRAIL-S (source)",
    "LicenseRef-OpenRAIL++": "OpenRAIL++-M (Stable Diffusion 2)",
    "LicenseRef-CreativeML-OpenRAIL-M": "CreativeML OpenRAIL-M (Stable Diffusion)",
    "LicenseRef-BigScience-OpenRAIL-M": "BigScience OpenRAIL-M",
    "LicenseRef-BigScience-BLOOM-RAIL-1.0": "BigScience BLOOM RAIL 1.0",
    "LicenseRef-BigCode-OpenRAIL-M": "BigCode OpenRAIL-M",
    "LicenseRef-Llama2": "Llama 2 Community License",
    "LicenseRef-Llama3": "Meta Llama 3 Community License",
    "LicenseRef-Llama3.1": "Llama 3.1 Community License",
    "LicenseRef-Llama3.2": "Llama 3.2 Community License",
    "LicenseRef-Llama3.3": "Llama 3.3 Community License",
    "LicenseRef-Gemma": "Gemma Terms of Use",
    "LicenseRef-AcademicResearchOnly": "terms allowing academic or research use only",
    "LicenseRef-NonCommercial": "custom terms allowing non-commercial use only",
    "LicenseRef-TermsOfService": "a website's or service's terms of service",
    "LicenseRef-NoAITraining": "terms forbidding use for training AI models",
    "LicenseRef-other": "other terms (Hugging Face id 'other'): read the dataset's card",
    # Hugging Face ids with no SPDX id: licence families (no version can be read off them) and model licences
    "LicenseRef-BSD-unspecified": "a BSD licence, which clauses not stated (Hugging Face id 'bsd')",
    "LicenseRef-GPL-unversioned": "GNU General Public License, version not stated (Hugging Face id 'gpl')",
    "LicenseRef-LGPL-unversioned": "GNU Lesser General Public License, version not stated (Hugging Face id 'lgpl')",
    "LicenseRef-GFDL-unversioned": "GNU Free Documentation License, version not stated (Hugging Face id 'gfdl')",
    "LicenseRef-Llama4": "Llama 4 Community License",
    "LicenseRef-DeepFloyd-IF": "DeepFloyd IF Research License Agreement (non-commercial research)",
    "LicenseRef-Apple-ASCL": "Apple Sample Code License (Hugging Face id 'apple-ascl')",
    "LicenseRef-Apple-AMLR": "Apple Model License for Research (Hugging Face id 'apple-amlr')",
    "LicenseRef-Intel-Research": "Intel Research Use License Agreement (Hugging Face id 'intel-research')",
    "LicenseRef-H-Research": "H Company Research License (Hugging Face id 'h-research')",
    "LicenseRef-FAIR-Noncommercial-Research": "FAIR Noncommercial Research License (Meta)",
    "LicenseRef-Grok2-Community": "Grok 2 Community License Agreement (xAI)",
    # named dataset licences without an SPDX id, as the Data Provenance Collection records them
    "LicenseRef-OANC": "Open American National Corpus licence",
    "LicenseRef-AccessByRequest": "access granted through a request form; the terms come with the grant",
    "LicenseRef-MSR-Data-License": "Microsoft Research Data License Agreement (research use)",
    "LicenseRef-AI2-ImpACT-LR": "AI2 ImpACT License for low-risk artifacts",
    "LicenseRef-LMSYS-Chat-1M": "LMSYS-Chat-1M Dataset License Agreement",
}


def is_documented(spdx_id: str) -> bool:
    return spdx_id in DOCUMENTED_REFS
