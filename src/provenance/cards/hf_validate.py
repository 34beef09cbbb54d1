"""Check a dataset card's YAML metadata against the values the Hugging Face Hub accepts, offline.

The accepted values ship as facts in ``provenance/data/hf_card_enums.json`` (licence ids, size categories, task
categories and ids, multilinguality, annotation and language creators, language codes, source-dataset patterns);
its ``sources`` field says where each list comes from. :func:`validate_card_metadata` returns one message per
problem, naming the field and the value; the card writer refuses to write metadata with any.

Keys the Hub does not constrain (``tags``, ``dataset_info``, ``generated_by``, ...) are accepted as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import InputError

ENUMS_FILE = "data/hf_card_enums.json"

# fields whose every value must come from one list, and the list's key in the enums file
_ENUM_FIELDS = {
    "size_categories": "size_categories",
    "multilinguality": "multilinguality",
    "annotations_creators": "annotations_creators",
    "language_creators": "language_creators",
    "task_categories": "task_categories",
    "task_ids": "task_ids",
}


class CardMetadataError(InputError):
    """The metadata of a card would not be accepted by the Hugging Face Hub; the message lists every problem."""


@lru_cache(maxsize=1)
def hf_enums() -> dict[str, Any]:
    """The accepted values, as shipped (lists as lists; ``language`` as a set of codes)."""
    data = json.loads(resources.files("provenance").joinpath(ENUMS_FILE).read_text(encoding="utf-8"))
    data["language"] = frozenset(data["language"].split()) | frozenset(data["language_special"])
    return data


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _check_strings(field: str, value: Any, errors: list[str], *, allow_single: bool = True) -> list[str]:
    """The field's values if it is a string (when allowed) or a list of strings; otherwise an error."""
    if isinstance(value, str) and allow_single:
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    shape = "a string or a list of strings" if allow_single else "a list of strings"
    errors.append(f"{field}: must be {shape}, not {value!r}")
    return []


def _near(value: str, allowed: Iterable[str]) -> str:
    import difflib

    by_lower = {a.lower(): a for a in allowed}
    if value.lower() in by_lower:
        return f" (did you mean '{by_lower[value.lower()]}'?)"
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.75)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


def _check_license(meta: Mapping[str, Any], enums: dict[str, Any], errors: list[str], legacy: bool) -> None:
    if "license" not in meta:
        return
    ids = _check_strings("license", meta["license"], errors)
    allowed = set(enums["license"])
    for lic in ids:
        if lic not in allowed:
            errors.append(
                f"license: '{lic}' is not a Hugging Face licence id{_near(lic, allowed)}; use 'other' with "
                "license_name and license_link (or license_details) for other terms"
            )
    if len(set(ids)) != len(ids):
        errors.append("license: a licence id is listed twice")
    other = "other" in ids
    name = meta.get("license_name")
    if name is not None:
        if not isinstance(name, str) or not re.fullmatch(enums["license_name_pattern"], name):
            errors.append(
                f"license_name: '{name}' must be an id of lower case letters, digits, '-' and '.' (e.g. my-license-1.0)"
            )
        if not other:
            errors.append("license_name: only used together with license 'other'")
    for field in ("license_link", "license_details"):
        if meta.get(field) is not None and not isinstance(meta[field], str):
            errors.append(f"{field}: must be a string")
    if other and not legacy:  # older cards often say 'other' alone; the Hub shows them with a warning
        if name is None:
            errors.append("license: 'other' needs license_name, an id for the licence")
        if meta.get("license_link") is None and meta.get("license_details") is None:
            errors.append("license: 'other' needs license_link (a URL or LICENSE file) or license_details")


def _current_code(code: str, allowed: frozenset[str]) -> str:
    """A hint naming the current code for a deprecated one ('iw' -> 'he'), when langcodes knows it."""
    import langcodes

    try:
        current = langcodes.standardize_tag(code)
    except (ValueError, LookupError):
        return ""
    return f" (the current code is '{current}')" if current != code and current in allowed else ""


def _check_language(meta: Mapping[str, Any], enums: dict[str, Any], errors: list[str]) -> None:
    if "language" in meta:
        for code in _check_strings("language", meta["language"], errors):
            if code not in enums["language"]:
                hint = (
                    f"; write its language subtag '{code.split('-')[0].lower()}' here and the full tag under "
                    "language_details"
                    if "-" in code or "_" in code
                    else _current_code(code, enums["language"])
                )
                errors.append(f"language: '{code}' is not an ISO 639-1 or 639-3 code the Hub lists{hint}")
    if meta.get("language_details") is not None:
        import langcodes

        for tag in _check_strings("language_details", meta["language_details"], errors):
            if not langcodes.tag_is_valid(tag):
                errors.append(f"language_details: '{tag}' is not a valid BCP-47 tag")


def _check_source_datasets(meta: Mapping[str, Any], enums: dict[str, Any], errors: list[str], legacy: bool) -> None:
    if "source_datasets" not in meta:
        return
    patterns = [re.compile(p) for p in enums["source_datasets_patterns"]]
    if legacy:  # older cards name any corpus after 'extended|', spaces and commas included
        patterns.append(re.compile(r"^extended\|.+$"))
    for value in _check_strings("source_datasets", meta["source_datasets"], errors):
        if not any(p.fullmatch(value) for p in patterns):
            errors.append(
                f"source_datasets: '{value}' is neither 'original', 'extended', 'extended|<dataset>' nor a "
                "dataset name or repo id"
            )


def _check_configs(meta: Mapping[str, Any], enums: dict[str, Any], errors: list[str], legacy: bool) -> None:
    configs = meta.get("configs")
    if configs is None:
        return
    if not isinstance(configs, list):
        errors.append("configs: must be a list of {config_name, data_files}")
        return
    split = re.compile(enums["split_pattern"])
    names: list[str] = []
    defaults = 0
    for i, config in enumerate(configs):
        where = f"configs[{i}]"
        if legacy and isinstance(config, str):  # older cards list config names only
            names.append(config)
            continue
        if not isinstance(config, dict):
            errors.append(f"{where}: must be a mapping with config_name and data_files, not {config!r}")
            continue
        name = config.get("config_name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: config_name is missing or empty")
        else:
            names.append(name)
            where = f"configs[{i}] ({name})"
        defaults += bool(config.get("default"))
        files = config.get("data_files")
        if files is None:
            continue
        if isinstance(files, str):
            continue
        if not isinstance(files, list):
            errors.append(f"{where}: data_files must be a path, a list of paths, or a list of {{split, path}}")
            continue
        for item in files:
            if isinstance(item, str):
                continue
            if not (isinstance(item, dict) and set(item) == {"split", "path"}):
                errors.append(f"{where}: a data_files entry must be a path or {{split, path}}, not {item!r}")
                continue
            if not isinstance(item["split"], str) or not split.fullmatch(item["split"]):
                errors.append(
                    f"{where}: split name {item['split']!r} may hold only letters, digits and '_' (dots between words)"
                )
            paths = item["path"]
            if not (isinstance(paths, str) or (isinstance(paths, list) and all(isinstance(p, str) for p in paths))):
                errors.append(f"{where}: the path of split {item['split']!r} must be a string or a list of strings")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.append(f"configs: config_name {', '.join(duplicates)} is used twice")
    if defaults > 1:
        errors.append("configs: more than one config is marked default")


def validate_card_metadata(meta: Mapping[str, Any], *, allow_legacy: bool = False) -> list[str]:
    """Problems with a card's YAML metadata, one message each; an empty list when the Hub would accept it.

    ``allow_legacy`` also accepts what older cards carry: task categories the Hub no longer lists, ``configs`` as a
    list of names, and ``license: other`` without ``license_name``."""
    if not isinstance(meta, Mapping):
        return [f"the metadata must be a mapping of fields, not {type(meta).__name__}"]
    enums = hf_enums()
    errors: list[str] = []
    name = meta.get("pretty_name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        errors.append("pretty_name: must be a non-empty string")
    _check_license(meta, enums, errors, allow_legacy)
    _check_language(meta, enums, errors)
    for field, key in _ENUM_FIELDS.items():
        if meta.get(field) is None:
            continue
        allowed = set(enums[key])
        if field == "task_categories" and allow_legacy:
            allowed |= set(enums["legacy_task_categories"])
        for value in _check_strings(field, meta[field], errors):
            if value not in allowed:
                errors.append(f"{field}: '{value}' is not a value the Hub accepts{_near(value, allowed)}")
    _check_source_datasets(meta, enums, errors, allow_legacy)
    _check_configs(meta, enums, errors, allow_legacy)
    if meta.get("tags") is not None:
        _check_strings("tags", meta["tags"], errors)
    return errors


def check_card_metadata(meta: Mapping[str, Any], *, where: str = "the card") -> None:
    """Raise :class:`CardMetadataError` listing every problem, if there is one."""
    errors = validate_card_metadata(meta)
    if errors:
        raise CardMetadataError(
            f"{where}: the Hugging Face metadata would not be accepted, so nothing was written:\n  "
            + "\n  ".join(errors),
            hint="fix the declared value in the sources manifest (e.g. a language as a BCP-47 tag such as 'en' or "
            "'pt-BR'), or the value given to the card command",
        )


__all__ = ["CardMetadataError", "check_card_metadata", "hf_enums", "validate_card_metadata"]
