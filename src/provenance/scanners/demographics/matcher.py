"""Counting lexicon forms in one text: tokens, set lookups and runs of adjacent forms.

A record's tokens (see :mod:`.tokens`) are filtered in C against the set of first words of all forms
(``compress(count(), map(first.__contains__, tokens))``), so Python only runs at the few positions where a form may
start. There the longest form is taken, and forms on adjacent tokens make a *run* ("old white men"). A run is
resolved once per distinct run and cached: a descriptor that needs context counts only if a person noun of an
accepted kind follows it in the run ("white women" counts, "white Christmas" does not; body-type words accept only
core person nouns, so "big player" does not count), "older brother" is relative age and does not count, and phrases
that are only written after a person noun ("with a disability", "of color") are looked up right after one.

Languages written without spaces (Chinese, Japanese, Thai) cannot be tokenised this way; their gendered nouns are
counted as substrings, and only in texts that contain those scripts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import compress, count
from typing import Any

from .lexicon import ENGLISH
from .tokens import tokenize

FEMININE, MASCULINE, UNSPECIFIED = 0, 1, 2
GENDER_CLASSES = ("feminine", "masculine", "unspecified")
# person-noun kinds, from narrowest to widest; a descriptor's context is the widest kind it accepts
NOT_PERSON, INDIVIDUAL, PERSON, GROUP = 0, 1, 2, 3
CONTEXTS = {"": NOT_PERSON, "individual": INDIVIDUAL, "person": PERSON, "group": GROUP}
PERSON_KINDS = {"individual": INDIVIDUAL, "person": PERSON, "collective": GROUP}
SUBSTRING_SCRIPTS = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Entry:
    """What one form means: descriptor labels (with the context each needs), a gender class, a person-noun kind."""

    terms: tuple[tuple[int, int], ...] = ()  # (label id, context: NOT_PERSON or the widest person kind accepted)
    gender: int = -1
    person: int = NOT_PERSON
    relative: bool = False  # "older", "big": not about age or size before a kinship noun ("older brother")
    kinship: bool = False


@dataclass
class _EntryBuilder:
    terms: dict[int, int]
    gender: int = -1
    person: int = NOT_PERSON
    relative: bool = False
    kinship: bool = False

    def freeze(self) -> Entry:
        return Entry(tuple(sorted(self.terms.items())), self.gender, self.person, self.relative, self.kinship)


class Matcher:
    """Lookup tables for one choice of languages, axes and pronouns, and the per-text counting.

    ``labels`` lists the (axis, group) pairs descriptors can produce; gendered nouns are counted separately as
    feminine, masculine and unspecified mentions.
    """

    def __init__(
        self,
        lexicon: dict[str, Any],
        *,
        languages: Iterable[str],
        axes: Iterable[str] | None = None,
        pronouns: bool = False,
        gendered: bool = True,
    ) -> None:
        languages = set(languages)
        english = ENGLISH in languages
        wanted_axes = set(axes) if axes is not None else None
        self.labels: list[tuple[str, str]] = []
        label_ids: dict[tuple[str, str], int] = {}
        builders: dict[str, _EntryBuilder] = {}
        after: dict[str, _EntryBuilder] = {}

        def label(axis: str, group: str) -> int:
            key = (axis, group)
            if key not in label_ids:
                label_ids[key] = len(self.labels)
                self.labels.append(key)
            return label_ids[key]

        def builder(table: dict[str, _EntryBuilder], form: str) -> _EntryBuilder:
            if form not in table:
                table[form] = _EntryBuilder({})
            return table[form]

        if english:
            for form, axis, group, context in lexicon["terms"]:
                if wanted_axes is None or axis in wanted_axes:
                    builder(builders, form).terms[label(axis, group)] = CONTEXTS[context]
            for form, axis, group in lexicon["after_person"]:
                if wanted_axes is None or axis in wanted_axes:
                    builder(after, form).terms[label(axis, group)] = NOT_PERSON
            for form in lexicon["neutral_phrases"]:
                builder(builders, form)
            for kind, forms in lexicon["person_nouns"].items():
                for form in forms:
                    b = builder(builders, form)
                    b.person = max(b.person, PERSON_KINDS[kind])
            for form in lexicon["relative"]["descriptors"]:
                builder(builders, form).relative = True
            for form in lexicon["relative"]["kinship_nouns"]:
                builder(builders, form).kinship = True
        token_genders, substring_genders = self._gendered(lexicon, languages, pronouns) if gendered else ({}, {})
        for form, gender in token_genders.items():
            builder(builders, form).gender = gender
        self.entries: list[Entry] = []
        self.forms, self.lens = self._index(builders)
        self.after_forms, self.after_lens = self._index(after)
        self.first = frozenset(self.lens)
        self.substring_gender = substring_genders
        self.substring = (
            re.compile("|".join(re.escape(f) for f in sorted(substring_genders, key=lambda f: (-len(f), f))))
            if substring_genders
            else None
        )
        self._runs: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {}

    @staticmethod
    def _gendered(lexicon: dict[str, Any], languages: set[str], pronouns: bool) -> tuple[dict[str, int], ...]:
        """Gendered nouns of the chosen languages: ({form: class} of token languages, of substring languages).

        Every chosen list applies to every record, so English forms keep their English meaning (Polish "pan" does
        not make "pan" gendered) and a form two other languages put in different classes is dropped.
        """
        substring_languages = set(lexicon["substring_languages"])
        chosen = sorted(languages & set(lexicon["gendered"]))
        english: dict[str, int] = {}
        others: dict[str, set[int]] = {}
        substrings: dict[str, set[int]] = {}
        for lang in chosen:
            for cls, forms in lexicon["gendered"][lang].items():
                gender = GENDER_CLASSES.index(cls)
                for form in forms:
                    if lang == ENGLISH:
                        english[form] = gender
                    else:
                        table = substrings if lang in substring_languages else others
                        table.setdefault(form, set()).add(gender)
        if ENGLISH in chosen and pronouns:
            for cls, forms in lexicon["pronouns"][ENGLISH].items():
                english.update(dict.fromkeys(forms, GENDER_CLASSES.index(cls)))
        taken = english_forms(lexicon) if ENGLISH in chosen else frozenset()
        tokens = {f: next(iter(c)) for f, c in others.items() if len(c) == 1 and f not in taken}
        tokens.update(english)
        return tokens, {f: next(iter(c)) for f, c in substrings.items() if len(c) == 1}

    def _index(self, table: dict[str, _EntryBuilder]) -> tuple[dict[bytes, int], dict[bytes, tuple[int, ...]]]:
        """form bytes (and their possessives: "women's", "girls'") -> entry id; first word -> form lengths.

        A possessive is a noun, so it keeps only the descriptors that count on their own: "the country's
        population" is not about country people."""
        forms: dict[bytes, int] = {}
        lens: dict[bytes, set[int]] = {}
        for form, b in sorted(table.items()):
            entry = b.freeze()
            entry_id = len(self.entries)
            self.entries.append(entry)
            possessive_id = entry_id
            if any(context for _, context in entry.terms):
                possessive_id = len(self.entries)
                self.entries.append(replace(entry, terms=tuple(t for t in entry.terms if not t[1])))
            key = form.encode("utf-8")
            words = key.split()
            forms.setdefault(key, entry_id)
            for variant in (key + b"'s", key + b"'"):
                forms.setdefault(variant, possessive_id)
            lens.setdefault(words[0], set()).add(len(words))
            if len(words) == 1:
                lens.setdefault(key + b"'s", set()).add(1)
                lens.setdefault(key + b"'", set()).add(1)
        return forms, {k: tuple(sorted(v, reverse=True)) for k, v in lens.items()}

    def count(self, text: str) -> tuple[dict[int, int], list[int]]:
        """Mentions per label id, and gendered mentions [feminine, masculine, unspecified], in one text."""
        mentions: dict[int, int] = {}
        genders = [0, 0, 0]
        if not text:
            return mentions, genders
        run: list[int] = []
        last_end = -1
        for start, end, entry_id in self._items(tokenize(text)):
            if start != last_end and run:
                self._add_run(tuple(run), mentions, genders)
                run = []
            run.append(entry_id)
            last_end = end
        if run:
            self._add_run(tuple(run), mentions, genders)
        if self.substring is not None and not text.isascii() and SUBSTRING_SCRIPTS.search(text):
            substring_gender = self.substring_gender
            for form in self.substring.findall(text.lower()):
                genders[substring_gender[form]] += 1
        return mentions, genders

    def explain(self, text: str, after: int = 0) -> list[tuple[str, list[tuple[str, str]], bool]]:
        """Each run of forms in a text: its words (and ``after`` words that follow it), the (axis, group) labels it
        counted (gendered nouns as ("gender_and_sex", class)), and whether it holds a descriptor. For looking at
        what the scanner matches (benchmarks, tests); the scanner itself keeps no words."""
        out = []
        toks = tokenize(text)
        runs: list[list[tuple[int, int, int]]] = []
        for item in self._items(toks):
            if runs and runs[-1][-1][1] == item[0]:
                runs[-1].append(item)
            else:
                runs.append([item])
        for run in runs:
            ids = tuple(entry_id for _, _, entry_id in run)
            labels, classes = self._resolve(ids)
            counted = [self.labels[label] for label in labels]
            counted += [("gender_and_sex", GENDER_CLASSES[cls]) for cls in classes]
            words = b" ".join(toks[run[0][0] : run[-1][1] + after]).decode("utf-8", "replace").replace("\x00", "|")
            out.append((words, counted, any(self.entries[i].terms for i in ids)))
        return out

    def _items(self, toks: list[bytes]) -> list[tuple[int, int, int]]:
        """(start, end, entry id) of every form, longest first, left to right; an after-person phrase is looked up
        only right after a person noun."""
        items = []
        lens, forms, entries, after_lens = self.lens, self.forms, self.entries, self.after_lens
        n = len(toks)
        pos = -1
        for i in compress(count(), map(self.first.__contains__, toks)):
            if i < pos:
                continue
            tok = toks[i]
            for k in lens[tok]:
                entry_id = forms.get(tok if k == 1 else b" ".join(toks[i : i + k]))
                if entry_id is not None:
                    break
            else:
                continue
            pos = i + k
            items.append((i, pos, entry_id))
            if entries[entry_id].person and pos < n and toks[pos] in after_lens:
                for k in after_lens[toks[pos]]:
                    after_id = self.after_forms.get(b" ".join(toks[pos : pos + k]))
                    if after_id is not None:
                        items.append((pos, pos + k, after_id))
                        pos += k
                        break
        return items

    def _add_run(self, run: tuple[int, ...], mentions: dict[int, int], genders: list[int]) -> None:
        resolved = self._runs.get(run)
        if resolved is None:
            if len(self._runs) > _CACHE_LIMIT:
                self._runs.clear()
            resolved = self._runs[run] = self._resolve(run)
        labels, classes = resolved
        for label in labels:
            mentions[label] = mentions.get(label, 0) + 1
        for cls in classes:
            genders[cls] += 1

    def _resolve(self, run: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Labels and gender classes a run of adjacent forms counts."""
        entries = [self.entries[i] for i in run]
        labels: list[int] = []
        classes: list[int] = []
        for j, entry in enumerate(entries):
            if entry.gender >= 0:
                classes.append(entry.gender)
            if not entry.terms:
                continue
            noun = next((e for e in entries[j + 1 :] if e.person), None)
            for label, context in entry.terms:
                if context == NOT_PERSON:
                    labels.append(label)
                elif noun is not None and noun.person <= context and not (entry.relative and noun.kinship):
                    labels.append(label)
        return tuple(labels), tuple(classes)


def english_forms(lexicon: dict[str, Any]) -> frozenset[str]:
    """Every English form of the lexicon: terms, person nouns, gendered nouns and pronouns."""
    forms = {t[0] for t in lexicon["terms"]}
    forms |= {f for v in lexicon["person_nouns"].values() for f in v}
    forms |= {f for v in lexicon["gendered"][ENGLISH].values() for f in v}
    forms |= {f for v in lexicon["pronouns"][ENGLISH].values() for f in v}
    return frozenset(forms)
