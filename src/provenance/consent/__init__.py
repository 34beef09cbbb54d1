"""Consent: what publishers said about AI use of their content, read offline from what a corpus carries.

Only the signal parsers live here so far (robots.txt, X-Robots-Tag, TDMRep, ai.txt, HTML meta); they are pure
functions so scanners and load-time hooks can call them without I/O. Consent bases and opt-out registries build on
the ``Signal`` values these return.
"""

from provenance.consent.signals import (
    AI_AGENTS,
    ROBOTS_MAX_CHARS,
    RobotsGroup,
    RobotsRule,
    RobotsTxt,
    Signal,
    ai_opt_out,
    canonical_agent,
    evaluate_ai_txt,
    evaluate_html_meta,
    evaluate_meta_tags,
    evaluate_robots_txt,
    evaluate_tdmrep_headers,
    evaluate_tdmrep_json,
    evaluate_x_robots_tag,
    parse_robots_txt,
    parse_x_robots_tag,
    pattern_matches,
    robots_decisions,
)

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
