"""The top-level Python API: every documented name resolves, whatever was imported first, without loading it all."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_public_name_resolves_to_what_it_names() -> None:
    out = _run(
        """
        import inspect, provenance
        for name in provenance.__all__:
            value = getattr(provenance, name)
            assert not inspect.ismodule(value), name
        from provenance import scan, Ledger, track  # from-imports go through the same path
        assert provenance.scan is scan and provenance.DEFAULT_LEDGER == "provenance.duckdb"
        assert set(provenance.__all__) <= set(dir(provenance))
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_a_module_imported_first_does_not_hide_the_function_of_its_name() -> None:
    out = _run(
        """
        import provenance.coverage.report, provenance.lookup, provenance.redact
        import provenance
        print(provenance.coverage.__name__, provenance.lookup.__name__, provenance.redact.__name__)
        """
    )
    assert out.split() == ["coverage", "lookup", "redact"]


def test_importing_the_package_loads_no_scanner_or_card_code() -> None:
    out = _run(
        """
        import sys, provenance
        print(sorted(m for m in sys.modules if m.startswith(("provenance.scanners", "provenance.cards",
                                                              "provenance.engine", "presidio"))))
        """
    )
    assert out.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error() -> None:
    out = _run(
        """
        import provenance
        try:
            provenance.scann
        except AttributeError as exc:
            print(exc)
        """
    )
    assert "has no attribute 'scann'" in out
