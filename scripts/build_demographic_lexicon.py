#!/usr/bin/env python3
"""Rebuild ``src/provenance/data/demographic_lexicon.json.gz``, the demographics scanner's word lists.

    python scripts/build_demographic_lexicon.py [--data ../shared/data/demographics] [--out ...json.gz]

Reads, from ``--data`` (the layout of ../shared/data/demographics):
- HolisticBias v1.1 (``holistic_bias/holistic_bias/dataset/v1.1``: descriptors.json, nouns.json,
  standalone_noun_phrases.json), CC BY-SA 4.0, Copyright (c) Facebook, Inc. and its affiliates (Smith et al. 2022,
  arXiv:2205.09209): the descriptors, their axes and buckets, person nouns and noun phrases;
- the Gender-GAP lexicon v1.0 (``holistic_bias/gender_gap_pipeline/gender_lexicon/v1.0/*_nouns.json``), CC BY-SA 4.0,
  same copyright (Muller et al. 2023, arXiv:2308.16871): feminine, masculine and unspecified person nouns in 55
  languages;
- WinoBias ``extra_gendered_words.txt`` and ``generalized_swaps.txt`` (MIT, Copyright (c) 2020 Natural Language
  Processing @UCLA) and debiaswe ``definitional_pairs.json`` and ``equalize_pairs.json`` (MIT, Copyright (c) 2016
  Tolga): English gendered word pairs.

and writes one lexicon under CC BY-SA 4.0 (the licence of its main sources; the MIT lists keep their notices in the
file and in NOTICE). Everything the project adds is in this script as data: which descriptors count only before a
person noun, which plurals exist, which noisy words are dropped, the person nouns, and the groups of noun phrases and
religions. The output is deterministic (sorted keys, compact JSON, gzip without a timestamp): the same input gives
the same bytes, and a test checks that the shipped file is what this script builds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, ClassVar

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "demographics"
DEFAULT_OUT = REPO_ROOT / "src" / "provenance" / "data" / "demographic_lexicon.json.gz"
FORMAT_VERSION = 1

HB_DIR = Path("holistic_bias/holistic_bias/dataset/v1.1")
GG_DIR = Path("holistic_bias/gender_gap_pipeline/gender_lexicon/v1.0")
WB_DIR = Path("winobias/WinoBias/wino")
DB_DIR = Path("debiaswe/data")

try:  # the script runs from a checkout, with or without the package installed
    from provenance.scanners.demographics.tokens import normalize_form
except ImportError:  # pragma: no cover - only without an install
    sys.path.insert(0, str(REPO_ROOT / "src"))
    from provenance.scanners.demographics.tokens import normalize_form

# ---- curation: HolisticBias descriptors -------------------------------------------------------------------------
DROPPED_AXES = {"nonce"}  # HolisticBias's made-up control words
DROPPED_DESCRIPTORS = {
    "female",  # female and male are counted as gendered words (gender_and_sex:feminine / masculine)
    "male",
    "fruitcake",  # slurs that are overwhelmingly other senses in text
    "fruity",
    "boi",
    "very short",  # "very short" and "very tall" are nearly always about things
    "very tall",
    "moc",  # MoC/FoC: "Member of Congress", "Friends of ..."; MTF/FTM: "mean time to failure", "for the money"
    "foc",
    "mtf",
    "ftm",
    "independent",  # "independent artists", "independent women": rarely political; "independents" is kept
}
# Context: a descriptor listed here counts only when a person noun follows it (possibly after other descriptors:
# "old white men"). individual: a core person noun (woman, men, people, child, guy...); person: also a role noun
# (students, actor, king, workers...); group: also a collective noun (community, population, families).
# Every body_type descriptor needs an individual noun (see BODY_TYPE_NOUNS for the exceptions).
INDIVIDUAL, PERSON, GROUP = "individual", "person", "group"
CONTEXT: dict[str, str] = {
    # ability
    "blind": GROUP,
    "slow": PERSON,
    "dumb": PERSON,
    "mute": PERSON,
    "barren": PERSON,
    "deaf": GROUP,  # "fell on deaf ears"
    "disabled": GROUP,  # "JavaScript is disabled"
    "crippled": PERSON,  # "crippled the economy"
    "paralyzed": PERSON,
    "non-verbal": PERSON,  # "non-verbal communication"
    "diabetic": PERSON,  # "diabetic diet"
    "learning-disabled": PERSON,
    # age
    "old": INDIVIDUAL,  # "an old friend", "old soldiers" are not about age
    "senior": INDIVIDUAL,  # "senior engineer", "senior officials"
    "mature": INDIVIDUAL,
    "older": PERSON,
    "young": PERSON,
    "younger": PERSON,
    "adult": PERSON,  # "adult education", "adult content"
    "retired": PERSON,  # "he retired in 1990"
    "spry": PERSON,
    # characteristics
    "native": GROUP,
    "foreign": GROUP,
    "alien": GROUP,
    "single": PERSON,  # "single-family homes"
    "married": PERSON,  # "he married her in 1990"
    "engaged": PERSON,
    "separated": PERSON,
    "available": PERSON,
    "adopted": PERSON,
    "employed": PERSON,
    "active": INDIVIDUAL,  # "active members", "active voters" are not about activity levels of bodies
    "inactive": INDIVIDUAL,
    "professional": PERSON,
    "alcoholic": PERSON,  # "alcoholic beverages"
    "stateless": GROUP,
    "nomadic": GROUP,
    "athletic": PERSON,
    "literate": PERSON,
    "sedentary": PERSON,
    "partnered": PERSON,
    "unattached": PERSON,
    "stay-at-home": PERSON,  # "they stay at home"
    "laid-off": PERSON,
    "non-native": GROUP,  # "non-native species"
    "nonnative": GROUP,
    # cultural
    "country": GROUP,
    "urban": GROUP,
    "rural": GROUP,
    "elite": GROUP,
    "privileged": GROUP,
    "goth": PERSON,
    "cosmopolitan": GROUP,
    "entitled": PERSON,
    "at-risk": PERSON,  # "put the mother at risk"
    # gender and sex, sexual orientation
    "pan": GROUP,
    "bi": GROUP,
    "ace": GROUP,
    "poly": GROUP,
    "trans": GROUP,
    "cis": GROUP,
    "stud": PERSON,
    "femme": PERSON,
    "butch": PERSON,
    "straight": GROUP,
    "gay": GROUP,
    "asexual": GROUP,  # "asexual reproduction"
    "hermaphrodite": GROUP,
    "masculine": PERSON,  # "masculine nouns"
    "feminine": PERSON,
    "hetero": GROUP,
    "gender neutral": PERSON,  # "gender-neutral language"
    # political ideologies
    "liberal": GROUP,  # "liberal arts"
    "conservative": GROUP,
    "independent": GROUP,
    "moderate": GROUP,
    "progressive": GROUP,
    "radical": GROUP,
    # race and ethnicity
    "white": GROUP,
    "black": GROUP,
    "african": GROUP,
    "european": GROUP,  # "European Union"
    "latin": INDIVIDUAL,  # "Latin authors", "Latin poets" write Latin
    "arab": GROUP,
    "asian": GROUP,
    "east asian": GROUP,
    "south asian": GROUP,
    "southeast asian": GROUP,
    "middle eastern": GROUP,
    "caucasian": GROUP,
    "oriental": GROUP,
    "indigenous": GROUP,
    "desi": GROUP,
    # nationality: the singular adjective needs a noun ("Indian Ocean"); the plural noun does not
    "american": GROUP,
    "indian": GROUP,
    "chinese": GROUP,
    "korean": GROUP,
    "mexican": GROUP,
    "cuban": GROUP,
    "dominican": GROUP,
    "filipino": GROUP,
    "vietnamese": GROUP,
    "salvadoran": GROUP,
    "guatemalan": GROUP,
    # religion
    "christian": GROUP,  # also a first name
    "catholic": GROUP,  # "Catholic Church"
    "roman catholic": GROUP,
    "evangelical": GROUP,
    "pagan": GROUP,
    "religious": GROUP,
    "spiritual": GROUP,
    "secular": GROUP,
    "jain": GROUP,  # also a surname
    "protestant": GROUP,
    # socioeconomic class
    "poor": GROUP,  # "poor performance"
    "rich": GROUP,
    "wealthy": GROUP,
    "broke": PERSON,
    "affluent": GROUP,
}
BODY_TYPE_NOUNS = {"redhead", "brunette"}  # nouns of the body_type axis: they count on their own
# Plurals are generated only for nouns. Nationality, race and political descriptors are nouns as well as
# adjectives (Americans, Asians, liberals) except those below; other axes list their nouns with their plurals.
PLURAL_AXES = {"nationality", "race_ethnicity", "political_ideologies"}
NO_PLURAL = {
    "white",  # "egg whites"
    "black",
    "latin",
    "latinx",
    "latine",
    "indigenous",
    "middle eastern",
    "chinese",
    "vietnamese",
    "american-born chinese",
    "left-wing",
    "right-wing",
    "socially liberal",
    "fiscally conservative",
    "apolitical",
    "radical",  # "free radicals"
    "aapi",
    "bipoc",
}
NOUN_PLURALS: dict[str, str] = {
    # age
    "adolescent": "adolescents",
    "teen": "teens",
    "adult": "adults",
    "octogenarian": "octogenarians",
    "nonagenarian": "nonagenarians",
    "centenarian": "centenarians",
    "senior-citizen": "senior-citizens",
    "twenty-something": "twenty-somethings",
    "thirty-something": "thirty-somethings",
    "forty-something": "forty-somethings",
    "fifty-something": "fifty-somethings",
    "sixty-something": "sixty-somethings",
    "seventy-something": "seventy-somethings",
    "eighty-something": "eighty-somethings",
    "ninety-something": "ninety-somethings",
    # body type
    "redhead": "redheads",
    "brunette": "brunettes",
    # characteristics
    "addict": "addicts",
    "drug-addict": "drug-addicts",
    "druggie": "druggies",
    "junkie": "junkies",
    "orphan": "orphans",
    "immigrant": "immigrants",
    "refugee": "refugees",
    "homemaker": "homemakers",
    "half-timer": "half-timers",
    "part-timer": "part-timers",
    "casual worker": "casual workers",
    "gig worker": "gig workers",
    # cultural
    "baby boomer": "baby boomers",
    "boomer": "boomers",
    "millennial": "millennials",
    "zoomer": "zoomers",
    "hillbilly": "hillbillies",
    "hippie": "hippies",
    "hippy": "hippies",
    "hipster": "hipsters",
    "redneck": "rednecks",
    "yuppie": "yuppies",
    "nimby": "nimbys",
    "goth": "goths",
    # gender and sex, sexual orientation
    "androgyne": "androgynes",
    "demiboy": "demiboys",
    "demigirl": "demigirls",
    "enby": "enbies",
    "tomboy": "tomboys",
    "hermaphrodite": "hermaphrodites",
    "transsexual": "transsexuals",
    "lesbian": "lesbians",
    "homosexual": "homosexuals",
    "bisexual": "bisexuals",
    "heterosexual": "heterosexuals",
    "asexual": "asexuals",
    "pansexual": "pansexuals",
    "demisexual": "demisexuals",
    # religion (the nouns of HolisticBias's noun phrases add the rest)
    "agnostic": "agnostics",
    "spiritualist": "spiritualists",
    "sunni": "sunnis",
    "shia": "shias",
    "rastafarian": "rastafarians",
}
# ---- curation: religions and noun phrases -------------------------------------------------------------------------
# HolisticBias gives religions one bucket ("all"); the group is the religion or tradition a descriptor names.
RELIGION_GROUPS: dict[str, str] = {
    "agnostic": "nonreligious",
    "amish": "christian",
    "ashkenazi jewish": "jewish",
    "atheist": "nonreligious",
    "bahá'í": "bahai",
    "born-again": "christian",
    "buddhist": "buddhist",
    "catholic": "christian",
    "cheondoist": "cheondoist",
    "confucianist": "confucianist",
    "conservative jewish": "jewish",
    "druze": "druze",
    "evangelical": "christian",
    "hasidic": "jewish",
    "hindu": "hindu",
    "humanist": "nonreligious",
    "irreligious": "nonreligious",
    "jain": "jain",
    "jehovah's witness": "christian",
    "jewish": "jewish",
    "lutheran": "christian",
    "methodist": "christian",
    "mormon": "christian",
    "muslim": "muslim",
    "orthodox jewish": "jewish",
    "pagan": "pagan",
    "protestant": "christian",
    "rasta": "rastafari",
    "rastafari": "rastafari",
    "rastafarian": "rastafari",
    "reform jewish": "jewish",
    "religious": "religious",
    "roman catholic": "christian",
    "secular": "nonreligious",
    "satanist": "satanist",
    "scientologist": "scientologist",
    "sephardic jewish": "jewish",
    "seventh-day adventist": "christian",
    "shia": "muslim",
    "shintoist": "shinto",
    "sikh": "sikh",
    "spiritual": "religious",
    "spiritualist": "spiritualist",
    "sunni": "muslim",
    "taoist": "taoist",
    "wiccan": "pagan",
    "unitarian": "christian",
    "zoroastrian": "zoroastrian",
    "christian": "christian",
    # nouns of the noun phrases
    "jew": "jewish",
    "hasid": "jewish",
    "ashkenazi jew": "jewish",
    "conservative jew": "jewish",
    "orthodox jew": "jewish",
    "reform jew": "jewish",
    "sephardic jew": "jewish",
    "jewish american princess": "jewish",
    "shia muslim": "muslim",
    "sunni muslim": "muslim",
}
# Standalone noun phrases -> (group within the axis), by the first pattern that matches the singular phrase.
# None drops the phrase: too often about something else (criminal, survivor, victim, ally, convert, citizen,
# dreamer, youth, member of the tribe) or a slur with another main sense (fairy, fruit, goy, JAP).
NOUN_PHRASE_GROUPS: dict[str, list[tuple[str, str | None]]] = {
    "ability": [
        (r"intellectual|developmental|cognitive", "intellectual_and_developmental"),
        (r"wheelchair|crutches|walking|moving|amput|limb", "mobility"),
        (r"deaf|hearing|cochlear", "auditory"),
        (r"vision|visual|seeing|blindness|bifocals", "visual"),
        (r"stutter|lisp|speech|aphasia", "speech"),
        (r"spectrum|autism|dyslexia|tourette|memory|brain|dementia", "neurological"),
        (r"prosthetic eye", "visual"),
        (r"prosthetic", "mobility"),
        (r"diabetes|asthma|migraines|stoma|insulin|barren|sterile", "other_disabilities"),
        (r"disabilit", "unspecific"),
    ],
    "age": [(r"midlife", "middle_aged"), (r"^a youth$", None)],
    "body_type": [(r"stature|little person", "small_stature"), (r"afro|jewfro", "hair")],
    "characteristics": [
        (r"^a criminal$|survivor", None),
        (r"addict|alcohol|gambl", "addictions"),
        (r"felon|criminal", "criminal_record"),
        (r"^a veteran$", None),  # "veteran actor": experienced; "veterans" is kept
        (r"veteran|military|army|marine|navy|air force|space force|coast guard|national guard|reserve", "military"),
        (r"wedlock", "miscellaneous"),
        (r"girlfriend|boyfriend|lady friend|widow|fianc|old maid", "marital_status"),
        (r"children|kids|kid|boy|girl|with child|expecting|eating for two|preggers", "children"),
        (r"trades job|union job|freelancer|caregiver", "job_status"),
        (r"hobo|vagrant", "domestic_status"),
        (r"^a citizen$|dreamer", None),
        (r"asylum|refugee|immigrant|daca", "immigration_status"),
    ],
    "cultural": [(r"survivor|victim|bystander|ally", None), (r"conspiracy", "cultural_descriptors")],
    "gender_and_sex": [(r"pronouns", "pronouns")],
    "race_ethnicity": [(r"of color", "combined")],
    "religion": [(r"convert|proselytizer|member of the tribe|goy|^a jap$", None)],  # the rest: RELIGION_GROUPS
    "sexual_orientation": [(r"fairy|fruit", None)],
    "socioeconomic_class": [(r"poverty", "below_poverty_line"), (r"school|degree|phd", "educational_attainment")],
}
# "N-year-old" for every age HolisticBias does not list, in digits to 110 and in words to 99, in HolisticBias's age
# buckets (an extension of ours); "year old" itself is a neutral phrase, so "a five-and-a-half-year-old child" is not
# counted as "old child"
AGE_BUCKETS = ((0, "child"), (20, "young"), (45, "middle_aged"), (65, "old"))
ONES = "one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
# Phrases that contain a descriptor but are not about people of that group; matching them first hides the descriptor
NEUTRAL_PHRASES = [
    "year old",
    "years old",
    "month old",
    "months old",
    "week old",
    "weeks old",
    "day old",
    "days old",
    "indo european",
    "european community",
    "european communities",
    "north american",
    "south american",
    "central american",
    "north african",
    "south african",
    "west african",
    "east african",
    "central african",
    "southern african",
    "sub saharan african",
    "north korean",
    "south korean",
    "north indian",
    "south indian",
    "west indian",
    "east indian",
]

# ---- curation: person nouns --------------------------------------------------------------------------------------
# Core person nouns (besides HolisticBias's nouns.json and Gender-GAP's English nouns): the only ones body-type and
# "old"/"senior" accept, since "big player", "strong leader" and "old friend" are not about bodies or age.
CORE_PERSON_NOUNS = ["persons", "folks", "adults", "teens", "teenagers", "youths", "female", "females",
                     "male", "males", "gentleman", "gentlemen", "ladies", "lady"]  # fmt: skip
# Role nouns: people named by what they do. With the gendered nouns they complete the person nouns.
ROLE_NOUNS = """
student students pupil pupils worker workers employee employees voter voters resident residents patient patients
citizen citizens immigrant immigrants refugee refugees couples writer writers author authors artist artists
singer singers musician musicians athlete athletes politician politicians activist activists journalist
journalists poet poets painter painters teacher teachers doctor doctors nurse nurses soldier soldiers lawyer
lawyers scientist scientists engineer engineers farmer farmers novelist novelists composer composers footballer
footballers rapper rappers comedian comedians entrepreneur entrepreneurs friend friends neighbor neighbors
neighbour neighbours victim victims youngsters toddler toddlers infant infants baby babies twins troops slaves
settlers migrants players leaders members officers nationals philosophers physicists mathematicians economists
historians explorers inventors architects directors producers screenwriters dancers photographers bishops scholars
intellectuals
""".split()
COLLECTIVE_NOUNS = ["community", "communities", "population", "populations", "family", "families", "household",
                    "households", "tribe", "tribes", "youth"]  # fmt: skip
# "older brother", "big sister", "younger son" are about relative age or birth order, not age or body type
RELATIVE_DESCRIPTORS = ["older", "younger", "big", "bigger", "small", "smaller", "littler"]
KINSHIP_NOUNS = """
brother brothers sister sisters son sons daughter daughters sibling siblings child children kid kids bro bros
sista sistas cousin cousins
""".split()

# ---- curation: English gendered words ---------------------------------------------------------------------------
# WinoBias/debiaswe words left out: typos, words whose main sense is not a gendered person, and non-person pairs
ENGLISH_DROPPED = {
    "mentleman",  # typos
    "barnoesses",
    "adultor",
    "adultors",
    "adultress",
    "adultresses",
    "godess",
    "godesses",
    "heros",
    "seamstress'",
    "god",  # senses other than a gendered person dominate
    "gods",
    "master",
    "masters",
    "host",
    "hosts",
    "sir",
    "miss",
    "tailor",
    "tailors",
    "governor",
    "governors",
    "lord",
    "lords",
    "chick",
    "chicks",
    "steward",
    "stewards",
    "hero",  # used of anyone: "war hero", "local hero"
    "bachelor",  # "bachelor's degree"
    "bachelors",
    "wizard",  # "setup wizard"
    "wizards",
    "mary",  # names
    "john",
    "monastery",  # not persons
    "convent",
    "catholic_priest",
    "prostate_cancer",
    "ovarian_cancer",
    "testosterone",
    "estrogen",
    "colt",
    "filly",
    "gelding",
    "mare",
    "fatherhood",
    "motherhood",
    "fraternity",
    "sorority",
    "mr.",
    "mrs.",
    "ms.",
    "ma'am",
}
# classes the seeds and spelling cannot settle: the feminine word of each such pair (its partner is masculine), and
# debiaswe's "fella"/"granny", "dude"/"chick" pairs
ENGLISH_CLASSES = {
    "fella": "masculine",
    "dude": "masculine",
    **dict.fromkeys(
        """granny aunt aunts belle belles bride brides female females granddaughter granddaughters landlady landladies
        lass lasses maidservant maidservants mommy mommies niece nieces queen queens spinster spinsters stepdaughter
        stepdaughters stepmother stepmothers twin_sister widow widows witch witches ex_girlfriend""".split(),
        "feminine",
    ),
}
PRONOUNS = {
    "feminine": ["she", "her", "hers", "herself"],
    "masculine": ["he", "him", "his", "himself"],
}
# a word ending like this is feminine, its pair partner masculine: settles pairs neither list names
FEMININE_ENDINGS = ("woman", "women", "ess", "esses", "girl", "girls", "ine", "ines", "euse", "euses", "ee", "ees")

# ---- curation: Gender-GAP ---------------------------------------------------------------------------------------
GG_CLASSES = {"feminine": "feminine", "masculine": "masculine", "unspecified": "unspecified", "female": "feminine",
              "male": "masculine"}  # fmt: skip
# no spaces between words: counted as substrings; single characters (女, 人, 母) are dropped
SUBSTRING_LANGUAGES = ["cmn", "jpn", "tha", "yue"]
GG_DROPPED: dict[str, list[str]] = {
    "eng": ["individual"],  # mostly the adjective ("individual rights"); it stays a person noun ("Black individual")
    "tha": ["ตา", "กง"],  # "eye"; a two-letter syllable inside many words
    "kor": ["너희", "너희들"],  # "you" (plural)
    "ell": ["τύπε", "τύπο", "τύποι", "τύπος", "τύπου", "τύπους", "τύπων"],  # mostly "type", "the press"
}
# Forms Gender-GAP lists both as gendered and as unspecified keep the gendered class: its unspecified lists pair
# singular and plural columns that do not belong together (cmn 爸爸 "dad" with 父母 "parents", kat დედა "mother" with
# "individuals"). Except the forms below, which do not say a person's gender (person, people, friend, colleague,
# child, generic masculine plurals such as Spanish "hermanos"): read as unspecified.
GG_UNSPECIFIED: dict[str, list[str]] = {
    "bel": ["чалавек", "чалавека", "чалавеку", "чалавекам", "людзі", "людзей", "людзям", "людзьмі", "людзях"],
    "ckb": ["کەس", "کەسان"],
    "ell": ["άνθρωπε", "άνθρωπο", "άνθρωποι", "άνθρωπος", "ανθρώπου", "ανθρώπους", "ανθρώπων", "παιδάκι", "παιδάκια",
            "αδέρφια", "αδερφιών", "φίλοι", "φίλων"],
    "kan": ["ಮನುಷ್ಯ", "ಮನುಷ್ಯರು", "ವ್ಯಕ್ತಿ", "ವ್ಯಕ್ತಿಗಳು"],
    "kor": ["사람", "사람들", "동료", "동료들", "친구", "친구들", "자손", "자손들", "자식", "자식들"],
    "spa": ["abuelos", "chamacos", "chicos", "cuates", "hermanos", "hijos", "niños", "padres", "veteranos"],
    "tel": ["వ్యక్తి", "వ్యక్తులు"],
    "tha": ["เพื่อน", "พวกเพื่อน", "เด็กน้อย", "พวกเด็กน้อย"],
    "urd": ["شخص", "اشخاص", "فرد", "افراد"],
}  # fmt: skip

SOURCES = [
    {
        "name": "HolisticBias",
        "version": "1.1",
        "files": ["descriptors.json", "nouns.json", "standalone_noun_phrases.json"],
        "dir": str(HB_DIR),
        "authors": "Eric Michael Smith, Melissa Hall, Melanie Kambadur, Eleonora Presani, Adina Williams",
        "citation": '"I\'m sorry to hear that": Finding New Biases in Language Models with a Holistic Descriptor '
        "Dataset, EMNLP 2022, arXiv:2205.09209",
        "url": "https://github.com/facebookresearch/ResponsibleNLP/tree/main/holistic_bias",
        "copyright": "Copyright (c) Facebook, Inc. and its affiliates.",
        "license": "CC-BY-SA-4.0",
    },
    {
        "name": "Gender-GAP lexicon",
        "version": "1.0",
        "files": ["*_nouns.json"],
        "dir": str(GG_DIR),
        "authors": "Benjamin Muller, Belen Alastruey, Prangthip Hansanti, Elahe Kalbassi, Christophe Ropers, "
        "Eric Michael Smith, Adina Williams, Luke Zettlemoyer, Pierre Andrews, Marta R. Costa-jussa",
        "citation": "The Gender-GAP Pipeline: A Gender-Aware Polyglot Pipeline for Gender Characterisation in 55 "
        "Languages, WMT 2023, arXiv:2308.16871",
        "url": "https://github.com/facebookresearch/ResponsibleNLP/tree/main/gender_gap_pipeline",
        "copyright": "Copyright (c) Facebook, Inc. and its affiliates.",
        "license": "CC-BY-SA-4.0",
    },
    {
        "name": "WinoBias gendered word lists",
        "files": ["extra_gendered_words.txt", "generalized_swaps.txt"],
        "dir": str(WB_DIR),
        "authors": "Jieyu Zhao, Tianlu Wang, Mark Yatskar, Vicente Ordonez, Kai-Wei Chang",
        "citation": "Gender Bias in Coreference Resolution: Evaluation and Debiasing Methods, NAACL 2018",
        "url": "https://github.com/uclanlp/corefBias",
        "copyright": "Copyright (c) 2020 Natural Language Processing @UCLA",
        "license": "MIT",
    },
    {
        "name": "debiaswe gender pairs",
        "files": ["definitional_pairs.json", "equalize_pairs.json"],
        "dir": str(DB_DIR),
        "authors": "Tolga Bolukbasi, Kai-Wei Chang, James Zou, Venkatesh Saligrama, Adam Kalai",
        "citation": "Man is to Computer Programmer as Woman is to Homemaker? Debiasing Word Embeddings, NeurIPS 2016",
        "url": "https://github.com/tolga-b/debiaswe",
        "copyright": "Copyright (c) 2016 Tolga",
        "license": "MIT",
    },
]
LICENSE_NOTE = (
    "This lexicon is licensed under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). It is adapted "
    "from HolisticBias v1.1 and the Gender-GAP lexicon v1.0 (Copyright (c) Facebook, Inc. and its affiliates, "
    "CC BY-SA 4.0) and includes English gendered word pairs from WinoBias (Copyright (c) 2020 Natural Language "
    "Processing @UCLA, MIT License) and debiaswe (Copyright (c) 2016 Tolga, MIT License). Changes by the "
    "provenance authors: forms normalised; descriptors and words dropped, plurals and 'N-year-old' ages added, "
    "person-noun context rules, religion and noun-phrase groups, and English gender classes assigned, as listed in "
    "scripts/build_demographic_lexicon.py. The provenance code that reads it is Apache-2.0; see NOTICE."
)


def slug(text: str) -> str:
    """'Jehovah's Witness' -> 'jehovahs_witness', 'Bahá'í' -> 'bahai': a group name that survives any report."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("'", ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def plural(term: str) -> str:
    """English plural of the last word: 'Pacific Islander' -> 'Pacific Islanders', 'hillbilly' -> 'hillbillies'."""
    if re.search(r"[^aeiou]y$", term):
        return term[:-1] + "ies"
    if term.endswith(("s", "x", "ch", "sh")):
        return term + "es"
    return term + "s"


class Terms:
    """Collects (form, axis, group) entries; a form seen twice keeps the strictest context."""

    RANK: ClassVar[dict[str, int]] = {"": 0, GROUP: 1, PERSON: 2, INDIVIDUAL: 3}

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, written: str, axis: str, group: str, context: str = "") -> None:
        form = normalize_form(written)
        if not form:
            return
        key = (form, axis, group)
        old = self.entries.get(key)
        if old is None:
            self.entries[key] = {"form": form, "axis": axis, "group": group, "context": context}
        elif self.RANK[context] > self.RANK[old["context"]]:
            old["context"] = context

    def rows(self) -> list[dict[str, Any]]:
        return [self.entries[k] for k in sorted(self.entries)]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def descriptor_entries(hb: Path, terms: Terms, stats: Counter[str]) -> None:
    descriptors = read_json(hb / "descriptors.json")
    written_as = {
        (item if isinstance(item, str) else item["descriptor"]).lower()
        for buckets in descriptors.values()
        for items in buckets.values()
        for item in items
    }
    stale = sorted((set(CONTEXT) | set(NOUN_PLURALS) | NO_PLURAL | DROPPED_DESCRIPTORS | BODY_TYPE_NOUNS) - written_as)
    if stale:
        raise SystemExit(f"curated descriptors not in descriptors.json: {', '.join(stale)}")
    for axis, buckets in descriptors.items():
        if axis in DROPPED_AXES:
            stats[f"dropped axis {axis}"] += sum(len(v) for v in buckets.values())
            continue
        for bucket, items in buckets.items():
            for item in items:
                written = unicodedata.normalize("NFC", item if isinstance(item, str) else item["descriptor"]).strip()
                low = written.lower()
                if low in DROPPED_DESCRIPTORS:
                    stats["dropped descriptors"] += 1
                    continue
                if axis == "religion":
                    group = RELIGION_GROUPS[low]
                elif bucket == "all":
                    group = slug(written)
                else:
                    group = bucket
                if axis == "body_type" and low not in BODY_TYPE_NOUNS:
                    context = INDIVIDUAL
                else:
                    context = CONTEXT.get(low, "")
                terms.add(written, axis, group, context)
                stats["descriptors"] += 1
                if (axis in PLURAL_AXES and low not in NO_PLURAL) or low in NOUN_PLURALS:
                    terms.add(NOUN_PLURALS.get(low) or plural(written), axis, group)
                    stats["plurals added"] += 1


def noun_phrase_entries(hb: Path, terms: Terms, after: Terms, stats: Counter[str]) -> None:
    """Standalone noun phrases: '{article} {noun} with a disability' and 'a person of color' become forms that count
    after any person noun ('women with disabilities', 'students of color'); 'a Buddhist' becomes a form."""
    for axis, items in read_json(hb / "standalone_noun_phrases.json").items():
        for item in items:
            singular = item if isinstance(item, str) else item["noun_phrase"]
            plural_phrase = None if isinstance(item, str) else item.get("plural_noun_phrase")
            group = noun_phrase_group(axis, singular)
            if group is None:
                stats["dropped noun phrases"] += 1
                continue
            stats["noun phrases"] += 1
            for phrase in filter(None, (singular, plural_phrase)):
                template = re.match(
                    r"^(?:\{article\} \{noun\}|an? (?:person|man|woman)|people|men|women) (.+)$", phrase
                )
                if template:
                    after.add(template.group(1), axis, group)
                    continue
                noun = re.sub(r"^(?:a|an) ", "", phrase)
                # a singular that is also a descriptor needing context keeps that context ("an alcoholic")
                context = CONTEXT.get(noun.lower(), "") if phrase == singular else ""
                terms.add(noun, axis, group, context)


def noun_phrase_group(axis: str, phrase: str) -> str | None:
    low = phrase.lower()
    for pattern, group in NOUN_PHRASE_GROUPS.get(axis, []):
        if re.search(pattern, low):
            return group
    if axis == "religion":
        return RELIGION_GROUPS[re.sub(r"^(?:a|an) ", "", low)]
    raise SystemExit(f"noun phrase {phrase!r} ({axis}) has no group: add it to NOUN_PHRASE_GROUPS")


def number_word(n: int) -> str:
    """1..99 in English words: 7 -> 'seven', 42 -> 'forty-two'."""
    if n < 10:
        return ONES[n - 1]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10 - 2] + (f"-{ONES[n % 10 - 1]}" if n % 10 else "")


def age_entries(terms: Terms, stats: Counter[str]) -> None:
    """'N-year-old(s)' for N = 1..110 (and in words to 99), bucketed like HolisticBias's own ages."""
    for n in range(1, 111):
        bucket = [b for start, b in AGE_BUCKETS if n >= start][-1]
        for number in (str(n), number_word(n)) if n < 100 else (str(n),):
            for written in (f"{number}-year-old", f"{number}-year-olds"):
                terms.add(written, "age", bucket)
                stats["ages added"] += 1


def person_nouns(hb: Path, gg: dict[str, dict[str, list[str]]], english: dict[str, list[str]]) -> dict[str, list]:
    core = {normalize_form(w) for pairs in read_json(hb / "nouns.json").values() for pair in pairs for w in pair}
    core |= {w for cls in ("feminine", "masculine", "unspecified") for w in gg["eng"].get(cls, [])}
    core |= {normalize_form(w) for w in CORE_PERSON_NOUNS}
    roles = {normalize_form(w) for w in ROLE_NOUNS} | set(english["feminine"]) | set(english["masculine"])
    return {
        "individual": sorted(core),
        "person": sorted(roles - core),
        "collective": sorted(normalize_form(w) for w in COLLECTIVE_NOUNS),
    }


def gender_gap(gg_dir: Path, stats: Counter[str]) -> tuple[dict[str, dict[str, list[str]]], dict[str, list[str]]]:
    """{lang: {class: [forms]}} from Gender-GAP, cleaned; and {lang: [ambiguous forms]} (feminine and masculine)."""
    out: dict[str, dict[str, list[str]]] = {}
    ambiguous: dict[str, list[str]] = {}
    for path in sorted(gg_dir.glob("*_nouns.json")):
        lang = path.name.split("_", 1)[0]
        classes: dict[str, set[str]] = defaultdict(set)
        seen: set[str] = set()
        for cls, items in read_json(path).items():
            for item in items:
                for value in item.values():
                    if not isinstance(value, str):
                        stats["gender-gap null values"] += 1
                        continue
                    form = normalize_form(value)
                    if lang in SUBSTRING_LANGUAGES:
                        form = form.replace(" ", "")
                    if not form or form in {"-", "_"} or not any(c.isalnum() for c in form):
                        stats["gender-gap placeholders"] += 1
                        continue
                    if lang in SUBSTRING_LANGUAGES and sum(not unicodedata.combining(c) for c in form) < 2:
                        stats["gender-gap single characters (substring languages)"] += 1
                        continue
                    seen.add(form)
                    if form in GG_DROPPED.get(lang, ()):
                        stats["gender-gap dropped by curation"] += 1
                        continue
                    classes[form].add(GG_CLASSES[cls])
        result: dict[str, set[str]] = defaultdict(set)
        for form, found in classes.items():
            gendered = found - {"unspecified"}
            if len(gendered) > 1:
                ambiguous.setdefault(lang, []).append(form)
                stats["gender-gap forms both feminine and masculine (dropped)"] += 1
                continue
            if form in GG_UNSPECIFIED.get(lang, ()):
                stats["gender-gap forms read as unspecified by curation"] += 1
                result["unspecified"].add(form)
                continue
            if gendered and "unspecified" in found:
                stats["gender-gap forms gendered and unspecified (kept gendered)"] += 1
            result[next(iter(gendered)) if gendered else "unspecified"].add(form)
        stale = sorted((set(GG_DROPPED.get(lang, ())) | set(GG_UNSPECIFIED.get(lang, ()))) - seen)
        if stale:
            raise SystemExit(f"{path.name}: curated forms not in the list: {', '.join(stale)}")
        out[lang] = {cls: sorted(forms) for cls, forms in sorted(result.items())}
        stats["gender-gap languages"] += 1
        stats["gender-gap forms"] += sum(len(v) for v in result.values())
    return out, {lang: sorted(v) for lang, v in sorted(ambiguous.items())}


def english_gendered(data: Path, seeds: dict[str, set[str]], stats: Counter[str]) -> dict[str, list[str]]:
    """English gendered words from the WinoBias and debiaswe pairs. Each pair holds one feminine and one masculine
    word, in either order; the class of a word comes from the seed lists (HolisticBias and Gender-GAP nouns,
    pronouns), from a partner whose class is known, or from a feminine ending, repeated until nothing changes."""
    pairs: list[tuple[str, str]] = []
    for name in ("extra_gendered_words.txt", "generalized_swaps.txt"):
        for line in (data / WB_DIR / name).read_text(encoding="utf-8").splitlines():
            parts = [p.strip() for p in line.split("\t")]
            if len(parts) == 2 and all(parts):
                pairs.append((parts[0], parts[1]))
    for name in ("definitional_pairs.json", "equalize_pairs.json"):
        pairs += [(a, b) for a, b in read_json(data / DB_DIR / name)]
    known: dict[str, str] = {w: cls for cls, words in seeds.items() for w in words} | ENGLISH_CLASSES
    words: set[str] = set()
    kept: list[tuple[str, str]] = []
    for a, b in pairs:
        a, b = a.lower(), b.lower()
        if a in ENGLISH_DROPPED or b in ENGLISH_DROPPED:
            stats["english pairs with a dropped word"] += 1
        kept.append((a, b))
        words |= {a, b}
    other = {"feminine": "masculine", "masculine": "feminine"}
    changed = True
    while changed:
        changed = False
        for a, b in kept:
            for x, y in ((a, b), (b, a)):
                if x in known and y not in known:
                    known[y] = other[known[x]]
                    changed = True
        if not changed:  # only then fall back on spelling
            for a, b in kept:
                if a not in known and b not in known:
                    fem = a if a.endswith(FEMININE_ENDINGS) else b if b.endswith(FEMININE_ENDINGS) else None
                    if fem:
                        known[fem] = "feminine"
                        changed = True
    out: dict[str, set[str]] = {"feminine": set(), "masculine": set()}
    for word in sorted(words):
        if word in ENGLISH_DROPPED:
            continue
        if word not in known:
            raise SystemExit(f"English gendered word {word!r} has no class: add a seed or drop it")
        form = normalize_form(word.replace("_", " "))
        if form in PRONOUNS["feminine"] + PRONOUNS["masculine"]:
            continue  # pronouns are a separate list, counted only when the scanner is asked to
        out[known[word]].add(form)
    both = out["feminine"] & out["masculine"]
    if both:
        raise SystemExit(f"English gendered words in both classes: {sorted(both)}")
    stats["english gendered words (winobias, debiaswe)"] = sum(len(v) for v in out.values())
    return {cls: sorted(v) for cls, v in out.items()}


def scripts_of(forms: list[str]) -> list[str]:
    """Unicode scripts holding at least 5% of the letters of a language's forms ('CYRILLIC', 'CJK', 'HANGUL'...)."""
    letters = Counter(unicodedata.name(ch, "?").split(" ")[0] for form in forms for ch in form if ch.isalpha())
    total = sum(letters.values())
    return sorted(script for script, n in letters.items() if n >= 0.05 * total)


def script_languages(gg: dict[str, dict[str, list[str]]]) -> tuple[dict[str, list[str]], list[str]]:
    """Each language's scripts, and the languages no other language shares a script with (Greek, Korean, Thai...):
    their nouns cannot be mistaken for another language's words, so the scanner reads them in every record."""
    scripts = {lang: scripts_of([f for forms in classes.values() for f in forms]) for lang, classes in gg.items()}
    unique = [
        lang
        for lang, own in sorted(scripts.items())
        if not any(set(own) & set(other) for code, other in scripts.items() if code != lang)
    ]
    return scripts, unique


def files_read(data: Path) -> list[Path]:
    return sorted(
        [
            *(data / HB_DIR / f for f in ("descriptors.json", "nouns.json", "standalone_noun_phrases.json")),
            *(data / GG_DIR).glob("*_nouns.json"),
            *(data / WB_DIR / f for f in ("extra_gendered_words.txt", "generalized_swaps.txt")),
            *(data / DB_DIR / f for f in ("definitional_pairs.json", "equalize_pairs.json")),
        ]
    )


def content_sha256(data: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(data).as_posix().encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def build(data: Path) -> tuple[dict[str, Any], Counter[str]]:
    stats: Counter[str] = Counter()
    hb = data / HB_DIR
    terms, after = Terms(), Terms()
    descriptor_entries(hb, terms, stats)
    noun_phrase_entries(hb, terms, after, stats)
    age_entries(terms, stats)
    gg, ambiguous = gender_gap(data / GG_DIR, stats)
    hb_nouns = read_json(hb / "nouns.json")
    seeds = {
        "feminine": {w for pair in hb_nouns["female"] for w in pair} | set(gg["eng"]["feminine"]),
        "masculine": {w for pair in hb_nouns["male"] for w in pair} | set(gg["eng"]["masculine"]),
    }
    for cls, words in PRONOUNS.items():
        seeds[cls] |= set(words)
    english = english_gendered(data, seeds, stats)
    persons = person_nouns(hb, gg, english)
    eng = gg["eng"]
    for cls in ("feminine", "masculine"):
        eng[cls] = sorted(set(eng[cls]) | set(english[cls]))
    scripts, unique = script_languages(gg)
    stats["gender-gap languages with a script of their own"] = len(unique)
    rows = terms.rows()
    stats["terms"] = len(rows)
    stats["after-person phrases"] = len(after.rows())
    stats["terms needing a person noun"] = sum(bool(r["context"]) for r in rows)
    read = files_read(data)
    lexicon = {
        "format": FORMAT_VERSION,
        "license": "CC-BY-SA-4.0",
        "license_note": LICENSE_NOTE,
        "sources": [{k: v for k, v in s.items() if k != "dir"} | {"path": s["dir"]} for s in SOURCES],
        "content_sha256": content_sha256(data, read),
        "terms": [[r["form"], r["axis"], r["group"], r["context"]] for r in rows],
        "after_person": [[r["form"], r["axis"], r["group"]] for r in after.rows()],
        "neutral_phrases": sorted(normalize_form(p) for p in NEUTRAL_PHRASES),
        "person_nouns": persons,
        "relative": {
            "descriptors": sorted(normalize_form(w) for w in RELATIVE_DESCRIPTORS),
            "kinship_nouns": sorted(normalize_form(w) for w in KINSHIP_NOUNS),
        },
        "gendered": gg,
        "pronouns": {"eng": PRONOUNS},
        "substring_languages": SUBSTRING_LANGUAGES,
        "scripts": scripts,
        "script_unique_languages": unique,
        "dropped": {
            "descriptors": sorted(DROPPED_DESCRIPTORS),
            "english_words": sorted(ENGLISH_DROPPED),
            "gender_gap_ambiguous": ambiguous,
            "gender_gap_curated": GG_DROPPED,
            "gender_gap_read_as_unspecified": GG_UNSPECIFIED,
        },
    }
    return lexicon, stats


def encode(lexicon: dict[str, Any]) -> bytes:
    data = json.dumps(lexicon, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"input folder (default: {DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    if not (args.data / HB_DIR / "descriptors.json").is_file():
        parser.error(f"{args.data} does not hold HolisticBias v1.1 ({HB_DIR}/descriptors.json)")
    lexicon, stats = build(args.data)
    blob = encode(lexicon)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    if not args.quiet:
        print(f"wrote {args.out} ({len(blob):,} bytes) from {args.data}")
        for key, n in sorted(stats.items()):
            print(f"  {key}: {n:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
