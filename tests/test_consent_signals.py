"""Tests for provenance.consent.signals: every signal kind, malformed input, precedence, and parser properties."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.consent import (
    AI_AGENTS,
    ROBOTS_MAX_CHARS,
    Signal,
    ai_opt_out,
    canonical_agent,
    evaluate_ai_txt,
    evaluate_html_meta,
    evaluate_robots_txt,
    evaluate_tdmrep_headers,
    evaluate_tdmrep_json,
    evaluate_x_robots_tag,
    parse_robots_txt,
    parse_x_robots_tag,
    pattern_matches,
    robots_decisions,
)

ALL_AGENTS = (*AI_AGENTS, "*")

# ---------------------------------------------------------------------------------------------------------------------
# robots.txt


def test_disallow_all_for_star_blocks_every_agent() -> None:
    decisions = robots_decisions("User-agent: *\nDisallow: /\n", "/page")
    assert set(decisions) == set(ALL_AGENTS)
    assert not any(decisions.values())


def test_agent_specific_group_overrides_star() -> None:
    text = "User-agent: *\nDisallow: /\n\nUser-agent: GPTBot\nAllow: /\n"
    decisions = robots_decisions(text, "/a")
    assert decisions["GPTBot"] is True
    assert decisions["CCBot"] is False
    assert decisions["*"] is False


def test_agent_group_disallow_does_not_affect_others() -> None:
    text = "User-agent: CCBot\nDisallow: /\n"
    decisions = robots_decisions(text, "/a")
    assert decisions["CCBot"] is False
    assert all(v for k, v in decisions.items() if k != "CCBot")


def test_empty_specific_group_means_allowed_even_if_star_disallows() -> None:
    # RFC 9309: a matching group is used even when it has no rules; the * group does not leak in.
    text = "User-agent: GPTBot\n\nUser-agent: *\nDisallow: /\n"
    # GPTBot line followed by another user-agent line joins the same group, so GPTBot *is* in the * group here.
    assert robots_decisions(text, "/x")["GPTBot"] is False
    text2 = "User-agent: GPTBot\nDisallow:\n\nUser-agent: *\nDisallow: /\n"
    assert robots_decisions(text2, "/x")["GPTBot"] is True


@pytest.mark.parametrize(
    ("rules", "path", "allowed"),
    [
        ("Disallow: /p\nAllow: /p/ok", "/p/ok/1", True),
        ("Disallow: /p\nAllow: /p/ok", "/p/no", False),
        ("Allow: /p\nDisallow: /p/", "/p/x", False),
        ("Allow: /page\nDisallow: /*.html", "/page.html", False),  # longer pattern wins
        ("Allow: /$\nDisallow: /", "/", True),
        ("Allow: /$\nDisallow: /", "/x", False),
        ("Disallow: /*.pdf$", "/a/b.pdf", False),
        ("Disallow: /*.pdf$", "/a/b.pdf?x=1", True),
        ("Disallow: /fish*", "/fish.html", False),
        ("Disallow: /fish", "/Fish", True),  # paths are case-sensitive
        ("Allow: /folder\nDisallow: /folder", "/folder/page", True),  # tie: Allow wins
        ("Disallow:", "/anything", True),  # empty Disallow allows
        ("Disallow: /a$b", "/a$b", False),  # $ not at end is literal
    ],
)
def test_longest_match_precedence(rules: str, path: str, allowed: bool) -> None:
    assert robots_decisions(f"User-agent: GPTBot\n{rules}\n", path)["GPTBot"] is allowed


def test_user_agent_matching_is_case_insensitive_and_uses_product_token() -> None:
    text = "user-AGENT: gptbot/1.1 (+https://openai.com/gptbot)\nDISALLOW: /\n"
    assert robots_decisions(text, "/")["GPTBot"] is False
    assert robots_decisions("User-agent: CLAUDEBOT\nDisallow: /\n", "/", agents=["claudebot"])["claudebot"] is False


def test_duplicate_groups_are_merged() -> None:
    text = "User-agent: CCBot\nDisallow: /a\n\nUser-agent: *\nDisallow: /z\n\nUser-agent: ccbot\nDisallow: /b\n"
    decisions = {p: robots_decisions(text, p)["CCBot"] for p in ("/a", "/b", "/c", "/z")}
    assert decisions == {"/a": False, "/b": False, "/c": True, "/z": True}


def test_multiple_user_agents_share_a_group() -> None:
    text = "User-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n"
    d = robots_decisions(text, "/")
    assert d["GPTBot"] is False and d["CCBot"] is False and d["*"] is True


def test_tolerates_bom_crlf_comments_missing_colon_unknown_directives() -> None:
    text = (
        "\ufeff# comment line\r\n"
        "User-agent GPTBot   # trailing comment\r\n"
        "Crawl-delay: 10\r\n"
        "Foo-bar: baz\r\n"
        "Disallow /private\r\n"
        "Sitemap: https://example.com/sitemap.xml\r\n"
        "this is garbage\r\n"
    )
    parsed = parse_robots_txt(text)
    assert parsed.ignored_lines == 2
    assert robots_decisions(parsed, "/private/x")["GPTBot"] is False
    assert robots_decisions(parsed, "/public")["GPTBot"] is True


def test_rules_before_any_group_are_ignored() -> None:
    parsed = parse_robots_txt("Disallow: /\nUser-agent: *\nAllow: /\n")
    assert parsed.rules_outside_groups == 1
    assert all(robots_decisions(parsed, "/x").values())


def test_no_user_agent_is_malformed_signal() -> None:
    signals = evaluate_robots_txt("Disallow: /\njunk\n", "/", where="https://e.com/robots.txt")
    assert len(signals) == 1
    assert signals[0].value.startswith("malformed: ")
    assert signals[0].opted_out is None
    assert signals[0].where == "https://e.com/robots.txt"


def test_empty_robots_says_nothing() -> None:
    assert evaluate_robots_txt("", "/") == []
    assert evaluate_robots_txt("# only a comment\n\n", "/") == []
    assert ai_opt_out("", "/") is None


def test_non_text_robots_is_malformed_not_an_error() -> None:
    assert evaluate_robots_txt(12345, "/")[0].value.startswith("malformed: ")
    assert evaluate_robots_txt(None, "/")[0].opted_out is None
    assert robots_decisions(b"User-agent: *\nDisallow: /\n", "/")["*"] is False


def test_ai_opt_out_names_agents_and_rules() -> None:
    text = "User-agent: GPTBot\nDisallow: /\n\nUser-agent: CCBot\nDisallow: /private\n"
    signal = ai_opt_out(text, "/private/x", where="e.com/robots.txt", observed_at="2025-01-01")
    assert signal is not None
    assert signal.kind == "robots.txt"
    assert signal.opted_out is True
    assert signal.agents == ("GPTBot", "CCBot")
    assert "Disallow: / for GPTBot" in signal.value
    assert "Disallow: /private for CCBot" in signal.value
    assert signal.observed_at == "2025-01-01"
    assert ai_opt_out(text, "/public").agents == ("GPTBot",)  # type: ignore[union-attr]


def test_evaluate_robots_allowed_signal() -> None:
    signals = evaluate_robots_txt("User-agent: *\nDisallow: /private\n", "/public")
    assert signals == [
        Signal("robots.txt", "allowed: /public", False, ALL_AGENTS, "", None),
    ]


def test_full_url_is_reduced_to_path() -> None:
    text = "User-agent: *\nDisallow: /a?b\n"
    assert robots_decisions(text, "https://example.com/a?b=1")["*"] is False
    assert robots_decisions(text, "a")["*"] is True


def test_huge_robots_is_bounded_and_fast() -> None:
    body = "User-agent: GPTBot\nDisallow: /x\n" + "Disallow: /*a*a*a*a*a*a*a*a*b\n" * 20_000 + "garbage\n" * 50_000
    start = time.perf_counter()
    parsed = parse_robots_txt(body)
    decisions = robots_decisions(parsed, "/" + "a" * 200)
    assert time.perf_counter() - start < 10
    assert parsed.truncated and len(body) > ROBOTS_MAX_CHARS
    assert decisions["GPTBot"] is True
    assert robots_decisions(parsed, "/x")["GPTBot"] is False


def test_pattern_matches() -> None:
    assert pattern_matches("/", "/anything")
    assert pattern_matches("/*.txt", "/dir/a.txt")
    assert pattern_matches("*.txt", "/dir/a.txt")
    assert not pattern_matches("/a$", "/ab")
    assert pattern_matches("/a*$", "/ab")
    assert pattern_matches("/**", "/")
    assert not pattern_matches("/b", "/a")


def test_canonical_agent() -> None:
    assert canonical_agent("gptbot") == "GPTBot"
    assert canonical_agent(" CLAUDEBOT ") == "ClaudeBot"
    assert canonical_agent("SomeBot") == "SomeBot"


# ---------------------------------------------------------------------------------------------------------------------
# X-Robots-Tag


def test_x_robots_tag_directives_per_agent() -> None:
    parsed = parse_x_robots_tag(["noindex, NoAI", "gptbot: noimageai", "otherbot: nofollow, custom-thing"])
    assert parsed == {"*": ("noindex", "noai"), "GPTBot": ("noimageai",), "otherbot": ("nofollow", "custom-thing")}


def test_x_robots_tag_noai_opts_out_noindex_does_not() -> None:
    signals = evaluate_x_robots_tag("noai, noindex", where="https://e.com/p", observed_at="t")
    assert Signal("x-robots-tag", "noai", True, ("*",), "https://e.com/p", "t") in signals
    assert Signal("x-robots-tag", "noindex", None, ("*",), "https://e.com/p", "t") in signals
    only_index = evaluate_x_robots_tag(["noindex", "none"])
    assert [s.opted_out for s in only_index] == [None]
    assert only_index[0].value == "noindex, none"


def test_x_robots_tag_valued_directive_is_not_an_agent() -> None:
    parsed = parse_x_robots_tag("unavailable_after: 25 Jun 2010 15:00:00 PST, max-snippet: 20")
    assert set(parsed) == {"*"}
    assert len(parsed["*"]) == 2


def test_x_robots_tag_malformed() -> None:
    assert evaluate_x_robots_tag("") == []
    assert evaluate_x_robots_tag(",,, ,") == []
    assert evaluate_x_robots_tag(["noai", 42])[-1].value.startswith("malformed: ")
    assert evaluate_x_robots_tag(42)[0].opted_out is None  # type: ignore[arg-type]
    assert evaluate_x_robots_tag("noai\r\nnoimageai")[0].opted_out is True
    assert parse_x_robots_tag(": : :") is not None


# ---------------------------------------------------------------------------------------------------------------------
# TDMRep


def test_tdmrep_headers() -> None:
    s = evaluate_tdmrep_headers({"TDM-Reservation": "1", "tdm-policy": "https://e.com/policy.json"}, where="u")
    assert len(s) == 1 and s[0].kind == "tdmrep" and s[0].opted_out is True
    assert "https://e.com/policy.json" in s[0].value
    assert evaluate_tdmrep_headers([("tdm-reservation", " 0 ")])[0].opted_out is False
    assert evaluate_tdmrep_headers({"content-type": "text/html"}) == []


def test_tdmrep_headers_malformed() -> None:
    bad = evaluate_tdmrep_headers({"tdm-reservation": "yes"})
    assert bad[0].opted_out is None and bad[0].value.startswith("malformed: ")
    assert evaluate_tdmrep_headers("tdm-reservation: 1")[0].value.startswith("malformed: ")
    assert evaluate_tdmrep_headers([("a",), 3, ("tdm-reservation", 1)]) == []
    policy_only = evaluate_tdmrep_headers({"tdm-policy": "https://p"})
    assert policy_only[0].opted_out is None


def test_tdmrep_json_first_match_wins() -> None:
    doc = json.dumps(
        [
            {"location": "/open/*", "tdm-reservation": 0},
            {"location": "/*", "tdm-reservation": 1, "tdm-policy": "https://e.com/p.json"},
        ]
    )
    opened = evaluate_tdmrep_json(doc, "/open/a.html", where="e.com/.well-known/tdmrep.json")
    assert opened[0].opted_out is False and opened[0].kind == "tdmrep.json"
    closed = evaluate_tdmrep_json(doc, "/news/a.html")
    assert closed[0].opted_out is True and "https://e.com/p.json" in closed[0].value


def test_tdmrep_json_anchor_and_no_match() -> None:
    doc = json.dumps([{"location": "/only$", "tdm-reservation": 1}])
    assert evaluate_tdmrep_json(doc, "/only")[0].opted_out is True
    assert evaluate_tdmrep_json(doc, "/only/more") == []


@pytest.mark.parametrize("doc", ["{not json", '{"location": "/"}', "", "null", "\ufeff[", "[" * 100_000])
def test_tdmrep_json_malformed(doc: str) -> None:
    signals = evaluate_tdmrep_json(doc, "/")
    assert len(signals) == 1 and signals[0].opted_out is None and signals[0].value.startswith("malformed: ")


def test_tdmrep_json_wrong_types_are_skipped() -> None:
    doc = json.dumps(
        [
            "string",
            {"location": 5, "tdm-reservation": 1},
            {"location": "/", "tdm-reservation": "maybe"},
            {"location": "/", "tdm-reservation": True},
            {"location": "/", "tdm-reservation": 2},
            {"location": "/", "tdm-reservation": "1", "tdm-policy": 7},
        ]
    )
    signals = evaluate_tdmrep_json(doc, "/x")
    assert len(signals) == 1 and signals[0].opted_out is True and "tdm-policy" not in signals[0].value


# ---------------------------------------------------------------------------------------------------------------------
# ai.txt

AI_TXT = "# Spawning AI\nUser-Agent: *\nDisallow: *.txt\nDisallow: *.pdf\nDisallow: *.jpg\nAllow: *.mp3\n"


def test_ai_txt_text_opt_out() -> None:
    signals = evaluate_ai_txt(AI_TXT, where="e.com/ai.txt")
    assert len(signals) == 1
    assert signals[0].kind == "ai.txt" and signals[0].opted_out is True
    assert "Disallow: *.txt" in signals[0].value and "*.jpg" not in signals[0].value
    assert "*" in signals[0].agents


def test_ai_txt_per_path() -> None:
    assert evaluate_ai_txt(AI_TXT, "/img/a.jpg")[0].opted_out is True
    assert evaluate_ai_txt(AI_TXT, "/song.mp3")[0].opted_out is False


def test_ai_txt_images_only_is_not_text_opt_out() -> None:
    signals = evaluate_ai_txt("User-Agent: *\nDisallow: *.jpg\nDisallow: *.png\n")
    assert signals[0].opted_out is False


def test_ai_txt_malformed() -> None:
    assert evaluate_ai_txt("Disallow: *.txt\n")[0].value.startswith("malformed: ")
    assert evaluate_ai_txt(None)[0].opted_out is None
    assert evaluate_ai_txt("") == []


# ---------------------------------------------------------------------------------------------------------------------
# HTML meta


def test_html_meta_robots_noai() -> None:
    html = """<html><head>
    <meta name="Robots" content="noai, noimageai">
    <meta name="CCBot" content="nofollow"/>
    <meta name="GPTBot" content="noai">
    <meta name="description" content="noai">
    <meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="https://e.com/p">
    </head><body>hi</body></html>"""
    signals = evaluate_html_meta(html, where="page.html:1")
    assert Signal("html-meta", "noai, noimageai", True, ("*",), "page.html:1", None) in signals
    assert Signal("html-meta", "nofollow", None, ("CCBot",), "page.html:1", None) in signals
    assert Signal("html-meta", "noai", True, ("GPTBot",), "page.html:1", None) in signals
    tdm = [s for s in signals if s.kind == "tdmrep"]
    assert len(tdm) == 1 and tdm[0].opted_out is True and "https://e.com/p" in tdm[0].value
    assert len(signals) == 4  # description is not a robots meta


def test_html_meta_http_equiv_and_broken_html() -> None:
    html = '<meta http-equiv="X-Robots-Tag" content="noai"><div <meta name=robots content=noindex <p>unclosed'
    signals = evaluate_html_meta(html)
    assert signals[0].opted_out is True
    assert evaluate_html_meta("<<<>>><!-- unterminated") == []
    assert evaluate_html_meta("<![if !IE]><meta name=robots content=noai>")[0].opted_out is True
    assert evaluate_html_meta(b"<meta name=robots content=noai>")[0].opted_out is True
    assert evaluate_html_meta(3)[0].value.startswith("malformed: ")


def test_html_meta_tdm_zero() -> None:
    signals = evaluate_html_meta('<meta name="tdm-reservation" content="0">')
    assert signals == [Signal("tdmrep", "meta tdm-reservation: 0", False, ("*",), "", None)]


# ---------------------------------------------------------------------------------------------------------------------
# Properties

_PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_robots_alphabet = st.sampled_from(list("Uu*$/#:a-zA-Z \t\r\n\ufeffDdAaiIlLoOwWeEsSgGtT.?=&%é"))
robots_like = st.one_of(st.text(), st.text(alphabet=_robots_alphabet, max_size=300))
paths = st.text(max_size=60)


@_PROPS
@given(robots_like, paths)
def test_robots_never_raises(text: str, path: str) -> None:
    decisions = robots_decisions(text, path)
    assert set(decisions) == set(ALL_AGENTS)
    for s in evaluate_robots_txt(text, path):
        assert isinstance(s, Signal) and s.kind == "robots.txt"
    evaluate_ai_txt(text)
    evaluate_ai_txt(text, path)


@_PROPS
@given(st.text(), paths)
def test_other_parsers_never_raise(text: str, path: str) -> None:
    evaluate_x_robots_tag(text)
    evaluate_x_robots_tag([text, text[::-1]])
    evaluate_tdmrep_json(text, path)
    evaluate_tdmrep_headers({"tdm-reservation": text, "tdm-policy": text})
    evaluate_html_meta(text)
    evaluate_html_meta(f'<meta name="robots" content="{text}"><meta name="{text}" content="noai">')


@_PROPS
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["location", "tdm-reservation", "tdm-policy", "x"]), c, max_size=4),
                    max_leaves=12), paths)  # fmt: skip
def test_tdmrep_json_never_raises_on_any_json(doc: object, path: str) -> None:
    for s in evaluate_tdmrep_json(json.dumps(doc), path):
        assert s.opted_out in (True, False, None)


@_PROPS
@given(paths, st.sampled_from(["", "\ufeff", "# hi\n"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_disallow_all_opts_everyone_out_for_every_path(path: str, prefix: str, newline: str) -> None:
    text = f"{prefix}User-agent: *{newline}Disallow: /{newline}"
    assert not any(robots_decisions(text, path).values())
    signal = ai_opt_out(text, path)
    assert signal is not None and set(signal.agents) == set(ALL_AGENTS)


_known = st.sampled_from([*ALL_AGENTS, "gptbot", "CCBOT"])
_rule = st.tuples(st.booleans(), st.text(alphabet="/ab*$.x", max_size=8))
_group = st.tuples(st.lists(_known, min_size=1, max_size=3), st.lists(_rule, min_size=1, max_size=4))


def _render(groups: list[tuple[list[str], list[tuple[bool, str]]]]) -> str:
    lines = []
    for agents, rules in groups:
        lines += [f"User-agent: {a}" for a in agents]
        lines += [f"{'Allow' if allow else 'Disallow'}: {pattern}" for allow, pattern in rules]
    return "\n".join(lines) + "\n"


@_PROPS
@given(st.lists(_group, max_size=4), st.lists(_rule, min_size=1, max_size=4), paths, st.booleans())
def test_unrelated_group_never_changes_other_decisions(
    groups: list[tuple[list[str], list[tuple[bool, str]]]],
    extra_rules: list[tuple[bool, str]],
    path: str,
    prepend: bool,
) -> None:
    text = _render(groups)
    extra = _render([(["UnrelatedBot"], extra_rules)])
    combined = extra + text if prepend else text + extra
    assert robots_decisions(combined, path) == robots_decisions(text, path)


@_PROPS
@given(robots_like, st.lists(_rule, min_size=1, max_size=3), paths)
def test_unrelated_group_prepended_to_arbitrary_text(text: str, extra_rules: list[tuple[bool, str]], path: str) -> None:
    combined = _render([(["UnrelatedBot"], extra_rules)]) + text
    assert robots_decisions(combined, path) == robots_decisions(text, path)
