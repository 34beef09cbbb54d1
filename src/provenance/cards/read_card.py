"""Read an existing Hugging Face dataset card (README.md): its YAML metadata and its sections, and turn what it
declares into the fields of a ``sources.yaml`` source.

Cards in the wild are untidy: YAML that does not parse (tabs, unquoted colons, duplicate keys), front matter that
never closes, headings inside code blocks, template placeholders ("[More Information Needed]") and HTML comments.
:func:`read_hf_card` never raises on content: it keeps what it can and lists every problem in ``HFCard.problems``.
When the YAML does not parse, the simple ``key: value`` and ``- item`` lines of the front matter are still read,
so a licence or a language list survives a broken line elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_PLACEHOLDER = re.compile(r"\[?\s*more information needed\s*\]?(\([^)]*\))?", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_URL = re.compile(r"https?://[^\s)\]>\"'`]+")
_LINK_FIELD = re.compile(r"^\s*[-*]\s*\*\*([^*:]+):?\*\*:?\s*(.*)$")
_ID_UNSAFE = re.compile(r"[^a-z0-9._-]+")


@dataclass
class Section:
    level: int
    title: str
    text: str = ""  # the section's own text, up to the next heading of any level
    full_text: str = ""  # its text and every subsection's, up to the next heading of the same or a higher level


@dataclass
class HFCard:
    path: Path | None
    metadata: dict[str, Any]
    sections: list[Section]
    body: str
    problems: list[str] = field(default_factory=list)
    yaml_ok: bool = True

    @property
    def title(self) -> str | None:
        return next((s.title for s in self.sections if s.level == 1), None)

    def section(self, *names: str, full: bool = True) -> str:
        """The text of the first section whose title matches one of ``names`` (case and punctuation ignored),
        without placeholders; '' when there is none."""
        wanted = [_norm(n) for n in names]
        for name in wanted:
            for s in self.sections:
                if _norm(s.title) == name:
                    return _clean(s.full_text if full else s.text)
        return ""

    def section_titles(self) -> list[str]:
        return [s.title for s in self.sections]


def _norm(title: str) -> str:
    title = re.sub(r"\[[^\]]*\]\([^)]*\)", "", title)  # links in headings
    title = re.sub(r"\[optional\]", "", title, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def _clean(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = _PLACEHOLDER.sub("", text)
    lines = [line.rstrip() for line in text.splitlines()]
    out = "\n".join(lines).strip()
    out = re.sub(r"\n{3,}", "\n\n", out)
    return "" if re.fullmatch(r"[\s\-*_#>:.]*", out) else out


def _split_front_matter(text: str) -> tuple[str | None, str, list[str]]:
    """(YAML text or None, body, problems)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, text, []
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), []
    return "\n".join(lines[1:]), "", ["the YAML front matter is never closed by a '---' line: read it to the end"]


def _lenient_yaml(text: str) -> dict[str, Any]:
    """Top-level ``key: value`` and ``key:`` + ``- item`` lines, for front matter that does not parse."""
    out: dict[str, Any] = {}
    key = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if m and not line[0].isspace():
            key, value = m.group(1), m.group(2).strip()
            if value:
                try:
                    out[key] = yaml.safe_load(value)
                except (yaml.YAMLError, ValueError, TypeError):
                    out[key] = value.strip("'\"")
                key = key if value in ("|", ">") else None
            else:
                out[key] = []
            continue
        item = re.match(r"^\s*-\s+(.+)$", line)
        if item and key is not None and isinstance(out.get(key), list):
            value = item.group(1).strip()
            if ":" in value and not value.startswith(("'", '"')):
                continue  # a nested mapping: not a simple list
            out[key].append(value.strip("'\""))
    return {k: v for k, v in out.items() if v not in ([], None, "|", ">")}


def _parse_yaml(front: str) -> tuple[dict[str, Any], list[str], bool]:
    try:
        data = yaml.safe_load(front) if front.strip() else {}
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:  # ValueError: e.g. a date 2020-02-30
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fallback = _lenient_yaml(front)
        return fallback, [f"the YAML metadata does not parse{where}: {problem}; read its simple lines only"], False
    if data is None:
        return {}, [], True
    if not isinstance(data, dict):
        return {}, [f"the YAML metadata is a {type(data).__name__}, not a mapping of fields: ignored"], False
    return {str(k): v for k, v in data.items()}, [], True


def _sections(body: str) -> list[Section]:
    found: list[tuple[int, str, int]] = []  # level, title, line index
    lines = body.splitlines()
    fence: str | None = None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)[0] * 3
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
            continue
        if fence is not None:
            continue
        h = _HEADING.match(line)
        if h:
            found.append((len(h.group(1)), h.group(2).strip(), i))
    sections = []
    for j, (level, title, at) in enumerate(found):
        nxt = found[j + 1][2] if j + 1 < len(found) else len(lines)
        end = next((f[2] for f in found[j + 1 :] if f[0] <= level), len(lines))
        sections.append(
            Section(
                level=level,
                title=title,
                text="\n".join(lines[at + 1 : nxt]).strip(),
                full_text="\n".join(lines[at + 1 : end]).strip(),
            )
        )
    return sections


def read_hf_card(path_or_text: str | Path) -> HFCard:
    """Parse a card from a file path or from its text. Problems (unreadable YAML, a front matter that never
    closes, an unreadable file) are listed in ``problems``, never raised."""
    path: Path | None = None
    problems: list[str] = []
    if isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str)
        and "\n" not in path_or_text
        and len(path_or_text) < 4096
        and Path(path_or_text).is_file()
    ):
        path = Path(path_or_text)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return HFCard(path, {}, [], "", [f"{path}: cannot read the card ({exc})"], False)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            problems.append("the card is not valid UTF-8: undecodable bytes were replaced")
    else:
        text = str(path_or_text)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    front, body, split_problems = _split_front_matter(text)
    problems += split_problems
    metadata, yaml_problems, ok = _parse_yaml(front) if front is not None else ({}, [], True)
    problems += yaml_problems
    return HFCard(path, metadata, _sections(body), body, problems, ok)


# ---- what a card declares, as a source ----------------------------------------------------------------------------
def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and not isinstance(v, (dict, list))]
    return [str(value)]


def _licence(card: HFCard, problems: list[str]) -> tuple[str, str | None]:
    """(SPDX expression for sources.yaml, how it was read)."""
    from ..licenses import LicenseParseError, resolve_license
    from ..licenses.resolve import custom_ref

    meta = card.metadata
    ids = [i.strip() for i in _as_list(meta.get("license")) if i.strip()]
    if not ids:
        written = card.section("Licensing Information", "License", "Licence", "Licensing", full=False)
        ids = [written.splitlines()[0][:200]] if written else []
    if not ids:
        return "unknown", None
    resolved: list[str] = []
    how: list[str] = []
    for raw in ids:
        if raw.lower() == "other":
            named = meta.get("license_name") or meta.get("license_details") or meta.get("license_link")
            if named:
                raw = str(named)
        try:
            r = resolve_license(raw)
        except LicenseParseError as exc:
            if not raw.strip():
                continue
            custom = custom_ref(raw)  # an id the toolkit does not know (a card's own license_name): custom terms
            problems.append(f"licence '{raw}' is not an id the toolkit knows ({exc}): kept as custom terms {custom}")
            resolved.append(custom)
            continue
        resolved.append(r.spdx)
        how.append(f"{raw} -> {r.spdx} ({r.how})")
    unique = list(dict.fromkeys(resolved))
    if "NOASSERTION" in unique and len(unique) > 1:
        unique.remove("NOASSERTION")
    expression = " AND ".join(f"({x})" if " " in x else x for x in unique)
    return ("unknown" if expression == "NOASSERTION" else expression), "; ".join(how) or None


def _languages(card: HFCard, problems: list[str]) -> list[str]:
    import langcodes

    meta = card.metadata
    tags = _as_list(meta.get("language_details")) + _as_list(meta.get("language_bcp47"))
    tags = tags or _as_list(meta.get("language")) or _as_list(meta.get("languages"))
    out: list[str] = []
    for tag in tags:
        tag = tag.strip().replace("_", "-")
        if tag.lower() in ("code", "multilingual", "other", "und", "mul", "") or tag.lower().startswith("other-"):
            continue
        try:
            std = langcodes.standardize_tag(tag)
        except (ValueError, LookupError):
            problems.append(f"language '{tag}' is not a BCP-47 tag: left out")
            continue
        if std not in out:
            out.append(std)
    return out


def _homepage(card: HFCard) -> str | None:
    fields: dict[str, str] = {}
    for line in card.body.splitlines():
        m = _LINK_FIELD.match(line)
        if m:
            fields.setdefault(_norm(m.group(1)), m.group(2))
    for key in ("homepage", "repository", "website", "paper"):
        value = fields.get(key, "")
        url = _URL.search(value)
        if url:
            return url.group(0).rstrip(".,;")
    return None


def _citation(card: HFCard) -> str | None:
    text = card.section("Citation Information", "Citation", "BibTeX")
    if not text:
        return None
    text = re.sub(r"^ {0,3}(`{3,}|~{3,}).*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"\*\*(BibTeX|APA):\*\*", "", text, flags=re.IGNORECASE)
    text = _clean(text)
    return " ".join(text.split())[:2000] or None


def _slug(text: str) -> str:
    slug = _ID_UNSAFE.sub("-", text.lower()).strip("-._")[:120]
    return slug if slug and slug[0].isalnum() else f"card-{slug}".strip("-") or "card"


def _collection_method(meta: dict[str, Any]) -> str:
    """A collection method only where the card's creators fields say it plainly; else 'other'."""
    language = set(_as_list(meta.get("language_creators")))
    annotations = set(_as_list(meta.get("annotations_creators")))
    if language and language <= {"machine-generated"}:
        return "synthetic"
    if annotations & {"crowdsourced", "expert-generated"} and language <= {"crowdsourced", "expert-generated"}:
        return "annotation"
    return "other"


def declared_from_card(card: HFCard | str | Path) -> dict[str, Any]:
    """The fields of a ``sources.yaml`` source that the card declares (add ``data:`` to use it).

    ``consent_basis`` is always 'unknown' (a card does not state it in a form the toolkit can read) and
    ``collection_method`` is 'other' unless the card's creators fields say synthetic or annotation. Prose the card
    carries (curation rationale, source data, personal and sensitive information) is quoted in ``notes``, marked as
    taken from the card; problems met while reading are listed under ``notes`` too."""
    if not isinstance(card, HFCard):
        card = read_hf_card(card)
    meta = card.metadata
    problems = list(card.problems)
    name = str(meta.get("pretty_name") or "").strip() or (card.title or "").removeprefix("Dataset Card for ").strip()
    if not name and card.path is not None:
        name = card.path.stem
    name = name or "Unnamed dataset"
    license, _ = _licence(card, problems)
    out: dict[str, Any] = {
        "id": _slug(card.path.stem if card.path is not None else name),
        "name": name,
        "license": license,
        "consent_basis": "unknown",
        "collection_method": _collection_method(meta),
    }
    homepage = _homepage(card)
    if homepage:
        out["homepage"] = homepage
    languages = _languages(card, problems)
    if languages:
        out["languages"] = languages
    citation = _citation(card)
    if citation:
        out["attribution"] = citation
    notes = []
    for label, names in (
        ("Curation rationale", ("Curation Rationale",)),
        (
            "Source data",
            ("Source Data", "Initial Data Collection and Normalization", "Data Collection and Processing"),
        ),
        ("Who produced the data", ("Who are the source language producers?", "Who are the source data producers?")),
        ("Personal and sensitive information", ("Personal and Sensitive Information",)),
    ):
        text = card.section(*names)
        if text and not any(text in n for n in notes):
            notes.append(f"{label} (from the card): {text}")
    if problems:
        notes.append("Reading the card: " + "; ".join(problems))
    if notes:
        out["notes"] = "\n\n".join(notes)
    return out


__all__ = ["HFCard", "Section", "declared_from_card", "read_hf_card"]
