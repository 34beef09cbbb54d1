#!/usr/bin/env python3
"""Rebuild the consent part of the sample corpus: a small web crawl, its consent snapshots and an opt-out registry.

    python scripts/build_sample_crawl.py [--root sample_data]

Writes, under ``--root``:
- ``crawl/crawl-2025-05.warc.gz``: a WARC 1.0 file (one gzip member per record): a ``warcinfo`` record, then a
  ``request`` and a ``response`` record for each of 18 HTML pages on 9 hosts and one PNG image. Some pages carry AI
  opt-out signals in their HTTP headers (``X-Robots-Tag``, ``tdm-reservation``) or in ``<meta>`` tags, one has a
  malformed ``X-Robots-Tag``, one is Latin-1 encoded;
- ``crawl/snapshots/<host>/robots.txt``, ``.../ai.txt`` and ``.../.well-known/tdmrep.json`` for some hosts, and
  ``crawl/snapshots/robots-captures.warc.gz`` with two captured robots.txt responses (one HTTP 200, one HTTP 503);
- ``registries/ai-optout-2025-06.csv``: an opt-out registry (``kind,value,added,note``) whose entries match a crawl
  host, a URL prefix, a forum author and the content hash of one review.

sample_data/README.md ("Consent signals (crawl source)") says which page carries which signal and what consent state
each implies. The provenance project wrote all of the text; every host is a fictional ``.example`` name (RFC 2606)
and no real person is named. The output is deterministic: fixed dates, record ids derived from the URLs, gzip
members without a timestamp, so the same script gives the same bytes.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import hashlib
import io
import json
import struct
import sys
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO_ROOT / "sample_data"
sys.path.insert(0, str(REPO_ROOT / "src"))

from provenance.readers.identity import content_hash, normalize_text  # noqa: E402

CRAWL_WARC = "crawl-2025-05.warc.gz"
ROBOTS_WARC = "robots-captures.warc.gz"
CRAWLER_UA = "provenance-sample-crawler/0.1 (+https://crawler.provenance.example/about)"
# Record ids are UUIDv5 of "<warc file>|<record type>|<target>" in this namespace: stable across rebuilds.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://crawler.provenance.example/sample-crawl")


# ---- pages ----------------------------------------------------------------------------------------------------------


@dataclass
class Page:
    url: str
    date: str  # WARC-Date, UTC
    ip: str  # documentation ranges only (RFC 5737)
    title: str = ""
    paragraphs: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # extra HTTP response headers, after the standard ones
    head_extra: str = ""  # extra <meta> lines in <head>
    lang: str = "en"
    charset: str = "utf-8"
    content_type: str | None = None  # defaults to text/html; charset=<charset>
    body: bytes | None = None  # a ready-made body (non-HTML responses)
    status: tuple[int, str] = (200, "OK")
    server: str = "nginx"

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        paras = "\n".join(f"<p>{p}</p>" for p in self.paragraphs)
        head_extra = f"{self.head_extra}\n" if self.head_extra else ""
        html = (
            "<!DOCTYPE html>\n"
            f'<html lang="{self.lang}">\n'
            "<head>\n"
            f'<meta charset="{self.charset}">\n'
            f"<title>{self.title}</title>\n"
            f"{head_extra}"
            "</head>\n"
            "<body>\n"
            f"<h1>{self.title}</h1>\n"
            f"{paras}\n"
            "</body>\n"
            "</html>\n"
        )
        return html.encode(self.charset)


def tiny_png() -> bytes:
    """A valid 2x2 grey PNG, built by hand so no image library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\x80\x80\x00\x80\x80"  # two rows: filter byte 0, two 8-bit grey pixels each
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


PAGES: tuple[Page, ...] = (
    # www.quietharbor.example: robots.txt disallows GPTBot and CCBot on / (both pages opted out).
    Page(
        "https://www.quietharbor.example/",
        "2025-05-03T08:14:02Z",
        "192.0.2.10",
        "Quiet Harbor Guest House",
        (
            "Quiet Harbor is a guest house of six rooms at the end of the sea wall, a short walk from the ferry "
            "steps. Every room looks out over the moorings, and on calm evenings you can hear the halyards tapping "
            "against the masts. Breakfast is served in the glass porch from half past seven. We keep a shelf of "
            "tide tables, board games and borrowed novels for rainy afternoons.",
            "Dogs are welcome in the two ground-floor rooms. Please tell us in advance if you will arrive after "
            "nine in the evening, so that someone can meet you with the key. We do not take bookings by text "
            "message, because the signal down here comes and goes with the weather.",
        ),
    ),
    Page(
        "https://www.quietharbor.example/tides/spring-tides.html",
        "2025-05-03T08:14:40Z",
        "192.0.2.10",
        "Reading the spring tides",
        (
            "Twice a month, around the new and the full moon, the harbour drains almost to the sand bar. These are "
            "the spring tides, and they have nothing to do with the season. At low water the old slipway appears, "
            "green with weed, and children go hunting for crabs under the stones. Check the board by the front "
            "door before you walk out: the water comes back faster than most visitors expect.",
        ),
    ),
    # blog.tinkerlane.example: robots.txt disallows * under /private/ only.
    Page(
        "https://blog.tinkerlane.example/posts/soldering-a-lamp.html",
        "2025-05-06T10:02:11Z",
        "192.0.2.21",
        "Rewiring a brass desk lamp",
        (
            "The lamp came from a house clearance and its flex had gone as stiff as a pencil. I cut the old cable "
            "at the base, fed new two-core flex through the stem and tied an underwriter's knot under the lamp "
            "holder, so that no pull would ever reach the terminals. Tinning the wire ends first makes them far "
            "easier to clamp.",
            "Before plugging it in I checked continuity with a multimeter and made sure the brass body was not "
            "live. It now lights the workbench with a warm, slightly uneven glow. I would not trade it for any "
            "LED panel.",
        ),
        headers=(("X-Robots-Tag", "noai, noimageai"),),
    ),
    Page(
        "https://blog.tinkerlane.example/posts/bike-light.html",
        "2025-05-06T10:03:27Z",
        "192.0.2.21",
        "A dynamo light for the cargo bike",
        (
            "Batteries kept dying at the worst moment, so the cargo bike finally got a hub dynamo. Fitting the "
            "wheel was the easy part; routing the cable along the frame without it snagging on the box took a "
            "whole Saturday. The front lamp has a standlight that stays on for a few minutes at junctions. Now the "
            "only thing I have to remember is to switch it on.",
        ),
        headers=(("X-Robots-Tag", "googlebot: noindex"),),
    ),
    Page(
        "https://blog.tinkerlane.example/private/workbench-notes.html",
        "2025-05-06T10:04:50Z",
        "192.0.2.21",
        "Workbench notes (draft)",
        (
            "Draft, not for publishing yet. The bench top is two layers of birch ply glued face to face, and it "
            "still rocks on the uneven garage floor. Options: levelling feet, a shim under the back left leg, or "
            "simply a new floor. I also need a home for the clamps that is not the windowsill.",
        ),
    ),
    # recipes.ovenlight.example: robots.txt allows everything; tdmrep.json reserves /recipes/*.
    Page(
        "https://recipes.ovenlight.example/recipes/rye-loaf.html",
        "2025-05-09T14:20:00Z",
        "198.51.100.5",
        "Dark rye loaf",
        (
            "This loaf needs a rye starter fed the night before and very little kneading. Mix the flour, starter, "
            "water, salt and a spoon of black treacle into a sticky paste, then scrape it into a greased tin. "
            "Leave it covered in a warm kitchen until it has risen by about a third, which can take four hours. "
            "Bake at 220 degrees for the first fifteen minutes, then lower the heat to 200.",
            "Wait a full day before slicing it. Rye keeps setting as it cools, and a loaf cut too early stays "
            "gummy in the middle. Wrapped in a cloth it keeps for a week.",
        ),
    ),
    Page(
        "https://recipes.ovenlight.example/about.html",
        "2025-05-09T14:21:10Z",
        "198.51.100.5",
        "About Ovenlight",
        (
            "Ovenlight is a small recipe site run by two home bakers who got tired of scrolling past long stories "
            "to find the ingredients. Every recipe is tested at least three times in an ordinary domestic oven. "
            "We list weights as well as cups, and we say honestly when something went wrong. Corrections from "
            "readers are always welcome.",
        ),
        headers=(("tdm-reservation", "0"),),
    ),
    Page(
        "https://recipes.ovenlight.example/journal/sourdough-diary.html",
        "2025-05-09T14:22:35Z",
        "198.51.100.5",
        "Sourdough diary, week three",
        (
            "The starter smelled of nail varnish on Monday, which apparently means it is hungry rather than dead. "
            "Two feeds a day brought it back by Wednesday. Thursday's loaf spread sideways like a pancake; "
            "Friday's held its shape after I cut the water by a tenth. Next week I will try a longer, colder proof "
            "in the fridge.",
        ),
        head_extra='<meta name="tdm-reservation" content="1">',
    ),
    # journal.fernhollow.example: ai.txt disallows *.html for *.
    Page(
        "https://journal.fernhollow.example/2025/04/first-frost.html",
        "2025-05-12T06:45:00Z",
        "198.51.100.17",
        "First frost in the hollow",
        (
            "Frost arrived late this year, on the last night of April. By morning the bracken along the stream had "
            "gone from green to a brittle copper, and the water butt wore a lid of thin ice. The blackbird that "
            "nests in the holly was singing before the sun cleared the ridge. I lit the stove for what I hope is "
            "the last time until autumn.",
        ),
    ),
    # news.brightmoor.example: its robots.txt answered HTTP 503 (robots-captures.warc.gz).
    Page(
        "https://news.brightmoor.example/2025/05/library-sundays.html",
        "2025-05-14T09:30:00Z",
        "198.51.100.33",
        "Brightmoor library to open on Sundays",
        (
            "From June the library on Market Row will open on Sunday afternoons for a six-month trial. The change "
            "follows a survey in which many readers said that weekday hours clashed with work and school. "
            "Volunteers will run the reading room, while the lending desk keeps its usual staff. The council will "
            "decide in December whether to keep the Sunday hours.",
        ),
        server="Apache",
    ),
    # forum.pinegap.example: its robots.txt (robots-captures.warc.gz) disallows ClaudeBot and anthropic-ai on /.
    Page(
        "https://forum.pinegap.example/t/412/dry-stone-walls",
        "2025-05-16T19:05:00Z",
        "203.0.113.40",
        "Dry stone walls: where to start?",
        (
            "Our field boundary has a gap of about four metres where the wall slumped over the winter. I would "
            "like to rebuild it myself rather than put up a fence. From what I have read, the trick is to sort "
            "the stones by size before you start and to batter the faces so that the wall leans in slightly. Has "
            "anyone here taken a weekend course, and was it worth it?",
            "Reply: do the course. I thought I could learn it from videos, but having someone watch you place the "
            "through-stones saves a lot of rebuilding. Bring gloves you do not mind ruining.",
        ),
    ),
    # www.saltmarsh.example: robots.txt is malformed (rules before any User-agent line, garbage lines).
    Page(
        "https://www.saltmarsh.example/",
        "2025-05-19T11:10:02Z",
        "203.0.113.52",
        "Saltmarsh field notes",
        (
            "Saltmarsh is a notebook about the creeks, mudflats and grazing marsh of one small estuary. Entries "
            "appear when the weather allows and the writer has something to say. There are essays in English and, "
            "now and then, a walk report in German for friends across the North Sea.",
        ),
        headers=(("X-Robots-Tag", ""), ("X-Robots-Tag", "#!% n0ai;;")),
    ),
    Page(
        "https://www.saltmarsh.example/essays/tideline.html",
        "2025-05-19T11:11:11Z",
        "203.0.113.52",
        "Along the tideline",
        (
            "Walk the strandline after a storm and it reads like a list of everything the sea was carrying. "
            "Mermaid's purses, cuttlebone, a single child's sandal, knots of orange rope from the fishing boats. "
            "Most of it belongs to the shore and will be gone by the next tide. The rope and the plastic will not, "
            "so I carry a sack and fill it on the way back.",
        ),
        headers=(
            ("tdm-reservation", "1"),
            ("tdm-policy", "https://www.saltmarsh.example/tdm-policy.json"),
        ),
    ),
    Page(
        "https://www.saltmarsh.example/de/wattwanderung.html",
        "2025-05-19T11:12:30Z",
        "203.0.113.52",
        "Wattwanderung bei Niedrigwasser",
        (
            "Bei Niedrigwasser führt der Weg vom Deich hinaus über das Watt bis zur Prielkante. Wir gingen barfuß, "
            "denn der Schlick hält Gummistiefel fest wie ein Saugnapf. Unterwegs zeigte uns die Führerin "
            "Wattwürmer, Herzmuscheln und die Spuren eines Austernfischers. Nach zwei Stunden kehrte die Gruppe "
            "um, lange bevor das Wasser zurückkam. Allein sollte man diese Strecke nie gehen.",
        ),
        lang="de",
        charset="iso-8859-1",
    ),
    # www.lindenrow.example: no snapshots at all.
    Page(
        "https://www.lindenrow.example/gallery/notes.html",
        "2025-05-21T15:00:00Z",
        "192.0.2.77",
        "Notes on the linocut series",
        (
            "Each print in this series starts as a pencil sketch made on the towpath, then gets traced in reverse "
            "onto the lino block. I cut the lightest areas first and print a proof before taking anything else "
            "away. The heron took eleven proofs; the willow only three. Prints are pulled by hand with a wooden "
            "spoon, so no two are quite the same.",
        ),
        head_extra='<meta name="robots" content="noai, noimageai">',
    ),
    Page(
        "https://www.lindenrow.example/gallery/heron.png",
        "2025-05-21T15:01:00Z",
        "192.0.2.77",
        content_type="image/png",
        body=tiny_png(),
    ),
    Page(
        "https://www.lindenrow.example/letters/hedgerow.html",
        "2025-05-21T15:02:00Z",
        "192.0.2.77",
        "A letter about the hedgerow",
        (
            "To the residents' committee: the hawthorn hedge behind numbers 2 to 14 was cut back hard in March, in "
            "the middle of the nesting season. I understand that it had grown over the path. Could the next trim "
            "be done in late autumn instead, and only on the path side? Several of us would gladly help with the "
            "work.",
        ),
    ),
    # shop.copperkettle.example: no snapshots, no signals; the opt-out registry names the host.
    Page(
        "https://shop.copperkettle.example/",
        "2025-05-23T09:00:00Z",
        "192.0.2.90",
        "Copper Kettle Hardware",
        (
            "Copper Kettle is an old-fashioned hardware shop: nails sold by weight, keys cut while you wait, and "
            "paraffin on tap in winter. We stock spare parts for kettles, mincers and sewing machines that the big "
            "stores stopped carrying years ago. If we do not have the part, we usually know who does. Open Tuesday "
            "to Saturday, nine until half past five.",
        ),
    ),
    Page(
        "https://shop.copperkettle.example/repairs.html",
        "2025-05-23T09:01:15Z",
        "192.0.2.90",
        "Repairs counter",
        (
            "Bring us a lamp that flickers, a clock that has stopped or a pan whose handle has worked loose. Most "
            "small repairs are done within the week and cost less than a replacement. We always ring with a price "
            "before we start. If something cannot be mended safely, we say so and hand it back at no charge.",
        ),
    ),
)


# ---- consent snapshots ----------------------------------------------------------------------------------------------

SNAPSHOT_FILES: dict[str, str] = {
    "www.quietharbor.example/robots.txt": (
        "# Quiet Harbor Guest House\n"
        "# Search engines are welcome. Crawlers that collect for AI training are not.\n"
        "User-agent: GPTBot\n"
        "User-agent: CCBot\n"
        "Disallow: /\n"
        "\n"
        "Sitemap: https://www.quietharbor.example/sitemap.xml\n"
    ),
    "blog.tinkerlane.example/robots.txt": ("User-agent: *\nDisallow: /private/\nCrawl-delay: 5\n"),
    "recipes.ovenlight.example/robots.txt": (
        "# Everything here may be crawled. Reuse of the recipes is governed by /.well-known/tdmrep.json.\n"
        "User-agent: *\n"
        "Allow: /\n"
    ),
    "recipes.ovenlight.example/.well-known/tdmrep.json": json.dumps(
        [
            {
                "location": "/recipes/*",
                "tdm-reservation": 1,
                "tdm-policy": "https://recipes.ovenlight.example/policy.json",
            }
        ],
        indent=2,
    )
    + "\n",
    "journal.fernhollow.example/ai.txt": (
        "# Spawning ai.txt\n"
        "# Our words and pictures are not for AI training.\n"
        "User-Agent: *\n"
        "Disallow: *.html\n"
        "Disallow: *.jpg\n"
        "Allow: *.css\n"
    ),
    # Malformed on purpose: two rules before any User-agent line (ignored under RFC 9309), an HTML error page pasted
    # in, and lines that are not directives. No user-agent group is ever opened, so nothing is disallowed.
    "www.saltmarsh.example/robots.txt": (
        "Disallow: /\n"
        "Disallow: /drafts/\n"
        "<!DOCTYPE html>\n"
        "<html><head><title>Page not found</title></head>\n"
        "<body>The page you asked for has drifted out with the tide.</body></html>\n"
        "Crawl delay = 10\n"
        "GPTBot please stay away\n"
    ),
}

ROBOTS_CAPTURES: tuple[Page, ...] = (
    Page(
        "https://forum.pinegap.example/robots.txt",
        "2025-05-02T07:00:00Z",
        "203.0.113.40",
        content_type="text/plain; charset=utf-8",
        body=(
            b"# Pine Gap community forum\n"
            b"User-agent: ClaudeBot\n"
            b"User-agent: anthropic-ai\n"
            b"Disallow: /\n"
            b"\n"
            b"User-agent: *\n"
            b"Disallow: /search\n"
            b"Disallow: /u/*/settings\n"
        ),
    ),
    Page(
        "https://news.brightmoor.example/robots.txt",
        "2025-05-02T07:00:30Z",
        "198.51.100.33",
        content_type="text/html; charset=utf-8",
        body=(
            b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
            b"<body><h1>Service Unavailable</h1><p>The server is down for maintenance. Please try again later.</p>"
            b"</body></html>\n"
        ),
        status=(503, "Service Unavailable"),
        server="Apache",
        headers=(("Retry-After", "3600"),),
    ),
)


# ---- WARC writing ---------------------------------------------------------------------------------------------------


def record_id(warc_name: str, kind: str, target: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(ID_NAMESPACE, f'{warc_name}|{kind}|{target}')}>"


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def http_date(warc_date: str) -> str:
    moment = datetime.strptime(warc_date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return format_datetime(moment, usegmt=True)


def warc_record(headers: list[tuple[str, str]], block: bytes) -> bytes:
    """One gzip member: WARC/1.0 line, headers, exact Content-Length, blank line, block, two CRLFs."""
    lines = ["WARC/1.0", *(f"{name}: {value}" for name, value in headers), f"Content-Length: {len(block)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"
    return gzip.compress(raw, compresslevel=9, mtime=0)


def warcinfo(warc_name: str, date: str, description: str) -> tuple[str, bytes]:
    rid = record_id(warc_name, "warcinfo", warc_name)
    fields = (
        "software: provenance scripts/build_sample_crawl.py\r\n"
        "format: WARC File Format 1.0\r\n"
        "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
        f"http-header-user-agent: {CRAWLER_UA}\r\n"
        "robots: recorded, not obeyed (consent snapshots are kept separately)\r\n"
        f"description: {description}\r\n"
        "isPartOf: provenance sample corpus (CC0-1.0)\r\n"
    ).encode()
    headers = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Date", date),
        ("WARC-Filename", warc_name),
        ("WARC-Record-ID", rid),
        ("Content-Type", "application/warc-fields"),
    ]
    return rid, warc_record(headers, fields)


def request_block(page: Page) -> bytes:
    parts = urlsplit(page.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return (
        f"GET {target} HTTP/1.1\r\n"
        f"Host: {parts.hostname}\r\n"
        f"User-Agent: {CRAWLER_UA}\r\n"
        "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
        "Accept-Encoding: identity\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode("ascii")


def response_block(page: Page) -> tuple[bytes, bytes]:
    body = page.payload()
    content_type = page.content_type or f"text/html; charset={page.charset}"
    headers = [
        ("Date", http_date(page.date)),
        ("Server", page.server),
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        *page.headers,
    ]
    status, reason = page.status
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    return head.encode("latin-1") + body, body


def page_records(warc_name: str, warcinfo_id: str, page: Page) -> bytes:
    response_id = record_id(warc_name, "response", page.url)
    request_id = record_id(warc_name, "request", page.url)
    block, payload = response_block(page)
    response = warc_record(
        [
            ("WARC-Type", "response"),
            ("WARC-Record-ID", response_id),
            ("WARC-Warcinfo-ID", warcinfo_id),
            ("WARC-Date", page.date),
            ("WARC-Target-URI", page.url),
            ("WARC-IP-Address", page.ip),
            ("WARC-Block-Digest", sha1_digest(block)),
            ("WARC-Payload-Digest", sha1_digest(payload)),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        block,
    )
    req = request_block(page)
    request = warc_record(
        [
            ("WARC-Type", "request"),
            ("WARC-Record-ID", request_id),
            ("WARC-Warcinfo-ID", warcinfo_id),
            ("WARC-Date", page.date),
            ("WARC-Target-URI", page.url),
            ("WARC-Concurrent-To", response_id),
            ("WARC-Block-Digest", sha1_digest(req)),
            ("Content-Type", "application/http; msgtype=request"),
        ],
        req,
    )
    return request + response


def build_warc(path: Path, pages: tuple[Page, ...], date: str, description: str) -> None:
    out = io.BytesIO()
    info_id, info = warcinfo(path.name, date, description)
    out.write(info)
    for page in pages:
        out.write(page_records(path.name, info_id, page))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# ---- registry -------------------------------------------------------------------------------------------------------

REGISTRY_REVIEW_ID = "r-0004"
REGISTRY_AUTHOR = "ines_garden"  # forum posts 1015 and 1016


def review_hash(root: Path, review_id: str) -> str:
    """The ledger's content_hash of one review in reviews/reviews.csv, its text built as the csv reader builds it."""
    with open(root / "reviews" / "reviews.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("review_id") == review_id:
                return content_hash(normalize_text(row["review_text"]))
    raise SystemExit(f"review {review_id} not found in {root / 'reviews' / 'reviews.csv'}")


def build_registry(root: Path) -> Path:
    rows = [
        (
            "domain",
            "shop.copperkettle.example",
            "2025-06-02",
            "Shop owner asked to leave the whole site out of AI training",
        ),
        ("url_prefix", "www.lindenrow.example/letters/", "2025-06-03", "Author of the letters section opted out"),
        ("author", REGISTRY_AUTHOR, "2025-06-05", "Forum member opted out of AI use of their posts"),
        ("content_hash", review_hash(root, REGISTRY_REVIEW_ID), "2025-06-09", "Reviewer withdrew one review"),
        (
            "domain",
            "www.mossbank.example",
            "2025-06-11",
            "Not in this corpus: registries list more than a corpus holds",
        ),
    ]
    path = root / "registries" / "ai-optout-2025-06.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "value", "added", "note"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# ---- main -----------------------------------------------------------------------------------------------------------


def build(root: Path) -> list[Path]:
    written: list[Path] = []
    crawl = root / "crawl"
    path = crawl / CRAWL_WARC
    build_warc(path, PAGES, "2025-05-03T08:00:00Z", "Small web crawl of fictional .example sites, May 2025")
    written.append(path)
    snapshots = crawl / "snapshots"
    for relative, text in SNAPSHOT_FILES.items():
        target = snapshots / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(target)
    path = snapshots / ROBOTS_WARC
    build_warc(path, ROBOTS_CAPTURES, "2025-05-02T06:59:00Z", "robots.txt captures made before the May 2025 crawl")
    written.append(path)
    written.append(build_registry(root))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the sample_data folder (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in build(args.root):
        print(f"{path.relative_to(args.root)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
