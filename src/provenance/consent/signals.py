"""Read AI-use consent signals from what a corpus carries: robots.txt, X-Robots-Tag, TDMRep, ai.txt and HTML meta.

Everything here is a pure function of text the caller already has (a robots.txt snapshot, stored response headers,
an HTML page), so a scan can evaluate consent offline and reproducibly. Publishers write these files by hand and
get them wrong all the time, so every parser is tolerant and *total*: malformed input yields a ``Signal`` whose
value starts with ``"malformed: "`` and whose ``opted_out`` is ``None`` (or the bad line is skipped); nothing here
raises on bad input, because one broken robots.txt must never abort a scan of millions of records.

``opted_out`` is three-valued on purpose: ``True`` is an explicit reservation, ``False`` an explicit statement that
AI use is not reserved (e.g. ``tdm-reservation: 0``), and ``None`` means the signal says nothing about AI use
(``noindex``) or could not be read. Absence of an opt-out is not consent; that judgement belongs to policy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

__all__ = [
    "AI_AGENTS",
    "ROBOTS_MAX_CHARS",
    "RobotsGroup",
    "RobotsRule",
    "RobotsTxt",
    "Signal",
    "ai_opt_out",
    "canonical_agent",
    "evaluate_ai_txt",
    "evaluate_html_meta",
    "evaluate_meta_tags",
    "evaluate_robots_txt",
    "evaluate_tdmrep_headers",
    "evaluate_tdmrep_json",
    "evaluate_x_robots_tag",
    "parse_robots_txt",
    "parse_x_robots_tag",
    "pattern_matches",
    "robots_decisions",
]

# The crawlers that collect for AI training or AI answers, as they name themselves in robots.txt.
AI_AGENTS: tuple[str, ...] = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "PerplexityBot",
    "Bytespider",
    "Applebot-Extended",
    "Meta-ExternalAgent",
    "cohere-ai",
    "Diffbot",
    "Omgilibot",
    "Amazonbot",
    "FacebookBot",
    "ImagesiftBot",
)
_DEFAULT_AGENTS: tuple[str, ...] = (*AI_AGENTS, "*")
_CANONICAL = {a.lower(): a for a in _DEFAULT_AGENTS}

# RFC 9309 §2.5: crawlers must parse at least 500 KiB. Reading a bounded prefix keeps a scan's cost per file bounded.
ROBOTS_MAX_CHARS = 512_000

_MALFORMED = "malformed: "


@dataclass(frozen=True, slots=True)
class Signal:
    """One consent statement read from one place.

    ``value`` keeps the directive(s) as read so a reviewer can check the interpretation; ``where`` and
    ``observed_at`` are supplied by the caller because only it knows the URL/file and the snapshot time.
    """

    kind: str  # "robots.txt" | "x-robots-tag" | "tdmrep" | "tdmrep.json" | "ai.txt" | "html-meta"
    value: str
    opted_out: bool | None
    agents: tuple[str, ...] = ()
    where: str = ""
    observed_at: str | None = None


def canonical_agent(name: str) -> str:
    """Spell a known crawler the way ``AI_AGENTS`` does, so results from differently-cased sources compare equal."""
    return _CANONICAL.get(name.strip().lower(), name.strip())


def _as_text(value: object) -> str | None:
    """Coerce caller input to text; ``None`` means it cannot be read as text at all."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return None


# --------------------------------------------------------------------------------------------------------------------
# Path patterns (robots.txt, ai.txt, tdmrep.json share them)


def _glob_full_match(pattern: str, text: str) -> bool:
    """Match ``pattern`` (only ``*`` special) against all of ``text``.

    A greedy two-pointer matcher rather than a regex: it is O(len(pattern) * len(text)) in the worst case, whereas
    a regex built from a hostile ``/*a*a*a*...`` pattern can backtrack for far longer.
    """
    i = j = 0
    star = -1
    mark = 0
    n, m = len(text), len(pattern)
    while i < n:
        if j < m and pattern[j] == "*":
            star, mark = j, i
            j += 1
        elif j < m and pattern[j] == text[i]:
            i += 1
            j += 1
        elif star != -1:
            j = star + 1
            mark += 1
            i = mark
        else:
            return False
    while j < m and pattern[j] == "*":
        j += 1
    return j == m


def pattern_matches(pattern: str, path: str) -> bool:
    """RFC 9309 path matching: a prefix match, ``*`` matches any run of characters, a trailing ``$`` anchors the end."""
    if pattern.endswith("$"):
        return _glob_full_match(pattern[:-1], path)
    return _glob_full_match(pattern + "*", path)


def _normalise_path(path: object) -> str:
    """Reduce a URL or path to the path-and-query robots rules match against (always starting with ``/``)."""
    text = _as_text(path) or ""
    text = text.strip()
    if "://" in text:
        try:
            parts = urlsplit(text)
            text = parts.path + ("?" + parts.query if parts.query else "")
        except ValueError:
            pass
    if not text.startswith("/"):
        text = "/" + text
    return text


# --------------------------------------------------------------------------------------------------------------------
# robots.txt (RFC 9309)


@dataclass(frozen=True, slots=True)
class RobotsRule:
    """One Allow/Disallow line; ``line`` is 1-based so a finding can point at the source."""

    allow: bool
    pattern: str
    line: int

    def render(self) -> str:
        return f"{'Allow' if self.allow else 'Disallow'}: {self.pattern}"


@dataclass(slots=True)
class RobotsGroup:
    """A group: the product tokens of its user-agent lines and the rules that follow them."""

    agents: list[str] = field(default_factory=list)
    rules: list[RobotsRule] = field(default_factory=list)


# Keys as publishers actually write them; Google's parser accepts the same common misspellings.
_UA_KEYS = {"useragent", "user-agent", "user_agent", "user agent"}
_DISALLOW_KEYS = {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"}
_ALLOW_KEYS = {"allow"}
_OTHER_KEYS = {"sitemap", "crawl-delay", "host", "clean-param", "request-rate", "visit-time", "noindex", "noai"}
_TOKEN_RE = re.compile(r"[A-Za-z0-9_.\-]+")


def _split_directive(line: str) -> tuple[str, str] | None:
    """Split ``key: value`` leniently: a missing colon is accepted when the key is a directive we know."""
    if ":" in line:
        key, _, value = line.partition(":")
        return key.strip().lower(), value.strip()
    parts = line.split(None, 1)
    if len(parts) == 2:
        key = parts[0].lower()
        if key in _UA_KEYS | _DISALLOW_KEYS | _ALLOW_KEYS:
            return key, parts[1].strip()
    return None


def _product_token(value: str) -> str:
    """``User-agent: GPTBot/1.0 (+https://…)`` names the product token ``gptbot``; RFC 9309 matches on that alone."""
    value = value.strip()
    if value.startswith("*"):
        return "*"
    match = _TOKEN_RE.match(value)
    return match.group(0).lower() if match else ""


@dataclass(slots=True)
class RobotsTxt:
    """A parsed robots.txt. Keeps counts of what it ignored so a report can say the file was sloppy."""

    groups: list[RobotsGroup] = field(default_factory=list)
    ignored_lines: int = 0
    rules_outside_groups: int = 0
    truncated: bool = False

    def rules_for(self, agent: str) -> list[RobotsRule] | None:
        """All rules of every group naming ``agent`` (duplicate groups merge, RFC 9309 §2.2.1), else the ``*`` groups.

        ``None`` means no group applies at all, which RFC 9309 reads as "everything allowed".
        """
        token = _product_token(agent) if agent.strip() != "*" else "*"
        if token and token != "*":
            specific = [r for g in self.groups if token in g.agents for r in g.rules]
            if any(token in g.agents for g in self.groups):
                return specific
        if any("*" in g.agents for g in self.groups):
            return [r for g in self.groups if "*" in g.agents for r in g.rules]
        return None

    def deciding_rule(self, agent: str, path: str) -> RobotsRule | None:
        """The longest matching rule; on a tie Allow wins (RFC 9309 §2.2.2). ``None``: no rule matches."""
        rules = self.rules_for(agent)
        if not rules:
            return None
        target = _normalise_path(path)
        best: RobotsRule | None = None
        for rule in rules:
            if not pattern_matches(rule.pattern, target):
                continue
            if best is None or len(rule.pattern) > len(best.pattern):
                best = rule
            elif len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow:
                best = rule
        return best

    def allowed(self, agent: str, path: str) -> bool:
        """Whether ``agent`` may fetch ``path``. No implicit allowance for ``/robots.txt``: this answers a consent
        question about the content, not a crawling one."""
        rule = self.deciding_rule(agent, path)
        return True if rule is None else rule.allow


def parse_robots_txt(text: object) -> RobotsTxt:
    """Parse robots.txt leniently: BOMs, CR/LF/CRLF, comments, unknown keys, missing colons, rules before any
    user-agent (ignored, as RFC 9309 says) and oversized files (truncated at ``ROBOTS_MAX_CHARS``) are all handled."""
    raw = _as_text(text)
    result = RobotsTxt()
    if raw is None:
        return result
    if len(raw) > ROBOTS_MAX_CHARS:
        # Cut at the last line break too: a half-read rule could disallow more than the publisher wrote.
        raw = raw[:ROBOTS_MAX_CHARS]
        raw = raw[: max(raw.rfind("\n"), raw.rfind("\r"), 0)]
        result.truncated = True
    current: RobotsGroup | None = None
    last_was_agent = False
    for number, line in enumerate(raw.splitlines(), start=1):
        line = line.replace("\ufeff", "").split("#", 1)[0].strip()
        if not line:
            continue
        parsed = _split_directive(line)
        if parsed is None:
            result.ignored_lines += 1
            continue
        key, value = parsed
        if key in _UA_KEYS:
            token = _product_token(value)
            if not token:
                result.ignored_lines += 1
                continue
            if current is None or not last_was_agent:
                current = RobotsGroup()
                result.groups.append(current)
            current.agents.append(token)
            last_was_agent = True
        elif key in _DISALLOW_KEYS or key in _ALLOW_KEYS:
            last_was_agent = False
            if current is None:
                result.rules_outside_groups += 1
                continue
            pattern = value.split()[0] if value else ""
            if not pattern:
                continue  # "Disallow:" with no path allows everything: no rule
            if not pattern.startswith(("/", "*")):
                pattern = "/" + pattern
            current.rules.append(RobotsRule(allow=key in _ALLOW_KEYS, pattern=pattern, line=number))
        else:
            # Sitemap, Crawl-delay and unknown keys neither start nor end a group (RFC 9309 §2.2.4).
            if key not in _OTHER_KEYS:
                result.ignored_lines += 1
    return result


def robots_decisions(robots_txt: object, path: str, agents: Iterable[str] = _DEFAULT_AGENTS) -> dict[str, bool]:
    """For each agent (the AI crawlers and ``*`` by default), whether robots.txt lets it fetch ``path``."""
    parsed = robots_txt if isinstance(robots_txt, RobotsTxt) else parse_robots_txt(robots_txt)
    return {agent: parsed.allowed(agent, path) for agent in agents}


def ai_opt_out(robots_txt: object, path: str, *, where: str = "", observed_at: str | None = None) -> Signal | None:
    """A robots.txt opts out of AI use of ``path`` when the ``*`` group or any AI crawler's group disallows it.

    Returns ``None`` when nobody is disallowed: silence in robots.txt is not an opt-out (nor consent).
    """
    parsed = robots_txt if isinstance(robots_txt, RobotsTxt) else parse_robots_txt(robots_txt)
    blocked: list[str] = []
    by_rule: dict[str, list[str]] = {}  # one entry per deciding rule keeps the value short and readable
    for agent in _DEFAULT_AGENTS:
        rule = parsed.deciding_rule(agent, path)
        if rule is not None and not rule.allow:
            blocked.append(agent)
            by_rule.setdefault(rule.render(), []).append(agent)
    if not blocked:
        return None
    value = "; ".join(f"{rule} for {', '.join(agents)}" for rule, agents in by_rule.items())
    return Signal("robots.txt", value, True, tuple(blocked), where, observed_at)


def evaluate_robots_txt(
    robots_txt: object, path: str, *, where: str = "", observed_at: str | None = None
) -> list[Signal]:
    """robots.txt as a list of signals: an opt-out, an explicit allowance, or a malformed-file note.

    An allowance (``opted_out=False``) is reported only when the file names an applicable group, because then the
    publisher did think about the crawler; an empty file says nothing and yields no signal.
    """
    if _as_text(robots_txt) is None and not isinstance(robots_txt, RobotsTxt):
        return [Signal("robots.txt", _MALFORMED + "not text", None, (), where, observed_at)]
    parsed = robots_txt if isinstance(robots_txt, RobotsTxt) else parse_robots_txt(robots_txt)
    if not parsed.groups:
        if parsed.ignored_lines or parsed.rules_outside_groups:
            note = f"no user-agent group ({parsed.ignored_lines} unreadable lines, {parsed.rules_outside_groups} rules)"
            return [Signal("robots.txt", _MALFORMED + note, None, (), where, observed_at)]
        return []
    signal = ai_opt_out(parsed, path, where=where, observed_at=observed_at)
    if signal is not None:
        return [signal]
    named = tuple(a for a in _DEFAULT_AGENTS if parsed.rules_for(a) is not None)
    if not named:
        return []
    return [Signal("robots.txt", f"allowed: {_normalise_path(path)}", False, named, where, observed_at)]


# --------------------------------------------------------------------------------------------------------------------
# X-Robots-Tag and robots meta directives

# Directives that carry their own "name: value", so their colon is not an agent prefix.
_VALUED_DIRECTIVES = {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
_AI_DIRECTIVES = ("noai", "noimageai")
_INDEX_DIRECTIVES = ("noindex", "none", "nofollow", "noarchive", "nosnippet", "noimageindex")


def _parse_directive_list(value: str, agent: str, out: dict[str, list[str]]) -> None:
    """Parse ``[agent:] d1, d2, other-agent: d3`` into ``out``; an agent prefix applies until the next one."""
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        if ":" in item:
            head, _, rest = item.partition(":")
            head = head.strip()
            if head.lower() not in _VALUED_DIRECTIVES and _TOKEN_RE.fullmatch(head):
                agent = canonical_agent(head)
                item = rest.strip()
                if not item:
                    continue
        directive = item.lower()
        bucket = out.setdefault(agent, [])
        if directive not in bucket:
            bucket.append(directive)


def parse_x_robots_tag(values: object) -> dict[str, tuple[str, ...]]:
    """Directives per agent (``*`` when no agent is named) from one or several X-Robots-Tag header values.

    Unknown directives are kept, lower-cased, so a new convention is visible in reports before we interpret it.
    """
    if isinstance(values, (str, bytes, bytearray)):
        values = [values]
    out: dict[str, list[str]] = {}
    if not isinstance(values, Iterable):
        return {}
    for value in values:
        text = _as_text(value)
        if text is None:
            continue
        # Several headers joined with line breaks are several lists, not one.
        _parse_directive_list(text.replace("\r", ",").replace("\n", ","), "*", out)
    return {agent: tuple(ds) for agent, ds in out.items()}


def _directive_signals(
    kind: str, directives: Mapping[str, tuple[str, ...]], where: str, observed_at: str | None
) -> list[Signal]:
    """Turn per-agent directives into signals: ``noai``/``noimageai`` opt out; index directives are kept apart with
    ``opted_out=None`` because not wanting to be in search results says nothing about AI training."""
    signals: list[Signal] = []
    for agent, ds in directives.items():
        ai = [d for d in ds if d in _AI_DIRECTIVES]
        if ai:
            signals.append(Signal(kind, ", ".join(ai), True, (agent,), where, observed_at))
        rest = [d for d in ds if d not in _AI_DIRECTIVES]
        if rest:
            signals.append(Signal(kind, ", ".join(rest), None, (agent,), where, observed_at))
    return signals


def evaluate_x_robots_tag(values: object, *, where: str = "", observed_at: str | None = None) -> list[Signal]:
    """X-Robots-Tag header value(s) as signals. Values that are not text give a malformed signal, not an error."""
    items = [values] if isinstance(values, (str, bytes, bytearray)) else values
    if not isinstance(items, Iterable):
        return [
            Signal(
                "x-robots-tag",
                _MALFORMED + f"not a header value: {type(values).__name__}",
                None,
                (),
                where,
                observed_at,
            )
        ]
    items = list(items)
    signals = _directive_signals("x-robots-tag", parse_x_robots_tag(items), where, observed_at)
    bad = [v for v in items if _as_text(v) is None]
    if bad:
        signals.append(
            Signal("x-robots-tag", _MALFORMED + f"{len(bad)} non-text value(s)", None, (), where, observed_at)
        )
    return signals


# --------------------------------------------------------------------------------------------------------------------
# TDM Reservation Protocol (W3C Community Group report)


def _tdm_signal(
    reservation: str | None, policy: str | None, source: str, where: str, observed_at: str | None
) -> Signal | None:
    """One TDMRep signal from a reservation value and optional policy URL, whichever way they were carried."""
    if reservation is None and policy is None:
        return None
    parts = []
    if reservation is not None:
        parts.append(f"tdm-reservation: {reservation}")
    if policy:
        parts.append(f"tdm-policy: {policy}")
    value = f"{source} " + "; ".join(parts)
    if reservation is None:
        return Signal("tdmrep", value, None, ("*",), where, observed_at)  # a policy alone reserves nothing
    if reservation.strip() == "1":
        return Signal("tdmrep", value, True, ("*",), where, observed_at)
    if reservation.strip() == "0":
        return Signal("tdmrep", value, False, ("*",), where, observed_at)
    return Signal("tdmrep", _MALFORMED + value, None, ("*",), where, observed_at)


def evaluate_tdmrep_headers(headers: object, *, where: str = "", observed_at: str | None = None) -> list[Signal]:
    """``tdm-reservation`` / ``tdm-policy`` HTTP headers (names case-insensitive; a mapping or (name, value) pairs)."""
    pairs: Iterable[object]
    if isinstance(headers, Mapping):
        pairs = list(headers.items())
    elif isinstance(headers, Iterable) and not isinstance(headers, (str, bytes, bytearray)):
        pairs = list(headers)
    else:
        return [Signal("tdmrep", _MALFORMED + "headers are not a mapping or pairs", None, (), where, observed_at)]
    reservation: str | None = None
    policy: str | None = None
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            continue
        name, value = _as_text(pair[0]), _as_text(pair[1])
        if name is None or value is None:
            continue
        name = name.strip().lower()
        if name == "tdm-reservation" and reservation is None:
            reservation = value.strip()
        elif name == "tdm-policy" and policy is None:
            policy = value.strip()
    signal = _tdm_signal(reservation, policy, "header", where, observed_at)
    return [signal] if signal else []


def evaluate_tdmrep_json(text: object, path: str, *, where: str = "", observed_at: str | None = None) -> list[Signal]:
    """``/.well-known/tdmrep.json`` for one path: the first rule whose ``location`` matches decides, as in TDMRep.

    Entries with wrong types are skipped; a file that is not a JSON array gives one malformed signal.
    """
    raw = _as_text(text)
    if raw is None:
        return [Signal("tdmrep.json", _MALFORMED + "not text", None, (), where, observed_at)]
    try:
        data = json.loads(raw.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        return [
            Signal("tdmrep.json", _MALFORMED + f"invalid JSON ({type(exc).__name__})", None, (), where, observed_at)
        ]
    if not isinstance(data, list):
        return [
            Signal(
                "tdmrep.json",
                _MALFORMED + f"expected an array, got {type(data).__name__}",
                None,
                (),
                where,
                observed_at,
            )
        ]
    target = _normalise_path(path)
    for entry in data:
        if not isinstance(entry, dict):
            continue
        location = entry.get("location")
        reservation = entry.get("tdm-reservation")
        policy = entry.get("tdm-policy")
        if not isinstance(location, str) or not location:
            continue
        if isinstance(reservation, bool) or reservation not in (0, 1, "0", "1"):
            continue
        pattern = location if location.startswith(("/", "*")) else "/" + location
        if not pattern_matches(pattern, target):
            continue
        value = f"location: {location}; tdm-reservation: {reservation}"
        if isinstance(policy, str) and policy:
            value += f"; tdm-policy: {policy}"
        return [Signal("tdmrep.json", value, str(reservation) == "1", ("*",), where, observed_at)]
    return []


# --------------------------------------------------------------------------------------------------------------------
# ai.txt (Spawning)

# Probe paths per text file type: ai.txt reserves by file extension, so "opted out for text" means any of these.
_TEXT_PROBES: tuple[str, ...] = (
    "/", "/a.txt", "/a.html", "/a.htm", "/a.md", "/a.pdf", "/a.doc", "/a.docx", "/a.odt", "/a.rtf", "/a.epub",
    "/a.csv", "/a.json", "/a.xml", "/a.tex",
)  # fmt: skip


def evaluate_ai_txt(
    text: object, path: str | None = None, *, where: str = "", observed_at: str | None = None
) -> list[Signal]:
    """ai.txt: robots syntax whose patterns are mostly file types (``Disallow: *.txt``).

    With ``path`` the file decides for that path; without it, text is opted out if any common text type is
    disallowed for ``*`` or an AI crawler, and ``value`` lists which types.
    """
    raw = _as_text(text)
    if raw is None:
        return [Signal("ai.txt", _MALFORMED + "not text", None, (), where, observed_at)]
    parsed = parse_robots_txt(raw)
    if not parsed.groups:
        if parsed.ignored_lines or parsed.rules_outside_groups:
            return [Signal("ai.txt", _MALFORMED + "no user-agent group", None, (), where, observed_at)]
        return []
    probes = (_normalise_path(path),) if path is not None else _TEXT_PROBES
    blocked_agents: list[str] = []
    reasons: list[str] = []
    for agent in _DEFAULT_AGENTS:
        for probe in probes:
            rule = parsed.deciding_rule(agent, probe)
            if rule is not None and not rule.allow:
                if agent not in blocked_agents:
                    blocked_agents.append(agent)
                reason = rule.render()
                if reason not in reasons:
                    reasons.append(reason)
    if blocked_agents:
        return [Signal("ai.txt", "; ".join(reasons), True, tuple(blocked_agents), where, observed_at)]
    named = tuple(a for a in _DEFAULT_AGENTS if parsed.rules_for(a) is not None)
    return [Signal("ai.txt", "allowed", False, named, where, observed_at)] if named else []


# --------------------------------------------------------------------------------------------------------------------
# HTML meta

# Meta names that carry robots directives. Only crawler names count, so <meta name="description" content="noai">
# is not misread as an opt-out.
_ROBOTS_META_NAMES = {a.lower() for a in AI_AGENTS} | {
    "robots", "googlebot", "googlebot-news", "googlebot-image", "bingbot", "google", "slurp", "yandex", "baiduspider",
}  # fmt: skip


class _MetaCollector(HTMLParser):
    """Collects ``<meta>`` name/content pairs; html.parser keeps going through broken markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.metas: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        name = values.get("name") or values.get("http-equiv") or ""
        if name and "content" in values:
            self.metas.append((name.strip().lower(), values["content"]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def evaluate_meta_tags(metas: Iterable[object], *, where: str = "", observed_at: str | None = None) -> list[Signal]:
    """Signals from ``(name, content)`` pairs of ``<meta>`` tags already extracted (as the WARC reader keeps them);
    pairs that are not two strings are skipped."""
    directives: dict[str, list[str]] = {}
    reservation: str | None = None
    policy: str | None = None
    for pair in metas if isinstance(metas, Iterable) and not isinstance(metas, (str, bytes)) else ():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            continue
        name, content = _as_text(pair[0]), _as_text(pair[1])
        if name is None or content is None:
            continue
        name = name.strip().lower()
        if name in _ROBOTS_META_NAMES or name == "x-robots-tag":
            agent = "*" if name in ("robots", "x-robots-tag") else canonical_agent(name)
            _parse_directive_list(content, agent, directives)
        elif name == "tdm-reservation" and reservation is None:
            reservation = content.strip()
        elif name == "tdm-policy" and policy is None:
            policy = content.strip()
    signals = _directive_signals("html-meta", {a: tuple(d) for a, d in directives.items()}, where, observed_at)
    tdm = _tdm_signal(reservation, policy, "meta", where, observed_at)
    if tdm is not None:
        signals.append(tdm)
    return signals


def evaluate_html_meta(html: object, *, where: str = "", observed_at: str | None = None) -> list[Signal]:
    """Robots-style ``<meta>`` directives (``robots`` and per-crawler names, and ``http-equiv="X-Robots-Tag"``) as
    ``html-meta`` signals, and TDMRep ``tdm-reservation``/``tdm-policy`` metas as a ``tdmrep`` signal."""
    raw = _as_text(html)
    if raw is None:
        return [Signal("html-meta", _MALFORMED + "not text", None, (), where, observed_at)]
    collector = _MetaCollector()
    broken: str | None = None
    try:
        collector.feed(raw)
        collector.close()
    except Exception as exc:  # html.parser can still assert on odd declarations; keep what was read
        broken = type(exc).__name__
    signals = evaluate_meta_tags(collector.metas, where=where, observed_at=observed_at)
    if broken is not None:
        signals.append(
            Signal("html-meta", _MALFORMED + f"HTML parser stopped ({broken})", None, (), where, observed_at)
        )
    return signals
