"""Country names as CRMs and people write them, to ISO 3166-1 alpha-2 codes.

pycountry knows the ISO names ("Korea, Republic of", "Côte d'Ivoire",
"Eswatini"); exports also hold everyday names, former names and spellings
without accents ("Korea", "Cote d'Ivoire", "Swaziland", "Palestinian
Territory"). Names are compared without case, accents or punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

# Everyday, former and short names that pycountry does not list.
ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "united states": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "korea": "KR", "south korea": "KR", "republic of korea": "KR", "korea south": "KR",
    "north korea": "KP", "korea north": "KP", "dprk": "KP",
    "ivory coast": "CI", "cote divoire": "CI", "cote d ivoire": "CI",
    "cape verde": "CV", "swaziland": "SZ", "reunion": "RE",
    "palestine": "PS", "palestinian territory": "PS", "palestinian territories": "PS",
    "occupied palestinian territory": "PS", "state of palestine": "PS",
    "russia": "RU", "turkey": "TR", "turkiye": "TR", "macedonia": "MK", "north macedonia": "MK",
    "brunei": "BN", "burma": "MM", "vatican": "VA", "vatican city": "VA", "holy see": "VA",
    "micronesia": "FM", "holland": "NL", "the netherlands": "NL",
    "czechia": "CZ", "uae": "AE", "emirates": "AE", "dr congo": "CD", "drc": "CD",
    "democratic republic of the congo": "CD", "congo kinshasa": "CD", "congo brazzaville": "CG",
    "republic of the congo": "CG", "east timor": "TL", "curacao": "CW", "aland": "AX", "aland islands": "AX",
    "hong kong sar": "HK", "macau": "MO", "macao sar": "MO", "st lucia": "LC", "st kitts and nevis": "KN",
    "st vincent and the grenadines": "VC", "saint martin": "MF", "sint maarten": "SX",
    "the bahamas": "BS", "the gambia": "GM", "gambia": "GM", "bahamas": "BS", "laos": "LA",
    "falkland islands": "FK", "espana": "ES", "deutschland": "DE", "osterreich": "AT", "schweiz": "CH",
    "suisse": "CH", "italia": "IT", "brasil": "BR", "nederland": "NL", "belgique": "BE", "belgie": "BE",
    "polska": "PL", "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "cesko": "CZ",
    "magyarorszag": "HU", "hrvatska": "HR", "eire": "IE", "nippon": "JP", "hellas": "GR",
    "vietnam": "VN", "viet nam": "VN", "iran": "IR", "syria": "SY",
}


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("saint ", "st ").replace("st. ", "st ")
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.replace("'", "")).split())


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                index.setdefault(_key(name), code)
                # "Korea, Republic of" is also written "Republic of Korea".
                head, _, tail = str(name).partition(", ")
                if tail:
                    index.setdefault(_key(f"{tail} {head}"), code)
        index.setdefault(_key(str(country.alpha_3)), code)
    index.update({_key(alias): code for alias, code in ALIASES.items()})
    return index


def country_code(value: str) -> str | None:
    """The alpha-2 code for a code or a name in any of the forms above; None if unknown."""
    text = value.strip()
    if len(text) == 2 and text.isalpha() and pycountry.countries.get(alpha_2=text.upper()):
        return text.upper()
    return _index().get(_key(text))
