"""The words of schedule phrases per language: weekday and month names from dateparser's
own data, connectors and cadences, zone abbreviations, typos corrected."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from dateparser.languages.loader import default_loader

from bot.when.schedule import WEEKDAYS

MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july", "august")


MONTHS += ("september", "october", "november", "december")


_EN_DAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3}


_EN_DAYS |= {"thurs": 3, "fri": 4, "sat": 5, "sun": 6}


ORDINAL_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4}


ORDINAL_WORDS |= {"4th": 4, "last": -1, "final": -1, "fifth": 5, "5th": 5}


# Connectors and cadences per language, folded (no accents): "from=to", "_" for a space.
_WORDS = {
    "en": (
        "evry=every everey=every tmrw=tomorrow tomorow=tomorrow tommorow=tomorrow "
        "tommorrow=tomorrow oclock=o'clock o_clock=o'clock bi_weekly=biweekly "
        "bi-weekly=biweekly day_after_tomorrow=overmorrow tonight=today_evening 12_noon=noon "
        "alternate=every_other every_single=every hrs=hours hr=hour one=1 two=2 three=3 "
        "four=4 five=5 six=6 seven=7 eight=8 nine=9 ten=10 eleven=11 twelve=12"
    ),
    "de": (
        "jeden=every jede=every jeder=every alle_zwei_wochen=every_2_weeks "
        "alle_2_wochen=every_2_weeks alle_14_tage=fortnightly alle_drei_wochen=every_3_weeks "
        "jede_zweite_woche=every_other_week zweiwochentlich=fortnightly wochentlich=weekly "
        "um=at und=and oder=or morgen=tomorrow heute=today ubermorgen=overmorrow "
        "nachsten=next nachste=next kommenden=next ersten=first zweiten=second dritten=third "
        "vierten=fourth letzten=last im_monat=of_the_month des_monats=of_the_month "
        "jeden_monat=every_month monatlich=monthly taglich=daily jeden_tag=every_day "
        "mittags=noon mittag=noon morgens=morning vormittags=morning nachmittags=afternoon "
        "abends=evening tagen=days tage=days fur=for minuten=minutes stunde=hour eine=an "
        "ab=starting bis=-"
    ),
    "fr": (
        "chaque=every tous_les=every toutes_les_deux_semaines=every_2_weeks "
        "tous_les_quinze_jours=fortnightly une_semaine_sur_deux=every_other_week le=on les=on "
        "et=and ou=or demain=tomorrow aujourd'hui=today apres-demain=overmorrow prochain=next "
        "prochaine=next premier=first 1er=first deuxieme=second troisieme=third "
        "quatrieme=fourth dernier=last du_mois=of_the_month de_chaque_mois=of_every_month "
        "chaque_mois=every_month tous_les_mois=every_month hebdomadaire=weekly "
        "tous_les_jours=daily chaque_jour=daily midi=noon minuit=midnight du_matin=morning "
        "matin=morning de_l'apres-midi=afternoon apres-midi=afternoon du_soir=evening "
        "soir=evening dans=in jours=days pendant=for heure=hour heures=hours a_partir_du=starting"
    ),
    "es": (
        "cada=every todos_los=every todas_las=every cada_dos_semanas=every_2_weeks "
        "cada_2_semanas=every_2_weeks cada_quince_dias=fortnightly quincenal=fortnightly "
        "semanal=weekly cada_semana=weekly los=on el=on y=and o=or a_las=at a_la=at "
        "manana=tomorrow de_la_manana=morning de_la_tarde=afternoon por_la_tarde=afternoon "
        "de_la_noche=evening hoy=today pasado_manana=overmorrow proximo=next que_viene=next "
        "primer=first primero=first segundo=second tercer=third ultimo=last "
        "del_mes=of_the_month de_cada_mes=of_every_month cada_mes=every_month cada_dia=daily "
        "todos_los_dias=daily mediodia=noon medianoche=midnight durante=for minutos=minutes "
        "hora=hour horas=hours en=in dias=days desde=starting y_media=:30 y_cuarto=:15"
    ),
}


_LEXICON = {
    lang: dict(w.replace("_", " ").split("=") for w in words.split())
    for lang, words in _WORDS.items()
}


ZONES = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
}


ZONES |= {"cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago"}


ZONES |= {"mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver"}


ZONES |= {
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
}


ZONES |= {"gmt": "UTC", "utc": "UTC", "bst": "Europe/London", "cet": "Europe/Berlin"}


ZONES |= {"cest": "Europe/Berlin", "eet": "Europe/Helsinki", "jst": "Asia/Tokyo"}


STOP = set(re.findall(r"\S+", "at on the every each and in from of a an to for with s week weeks"))


STOP |= set(re.findall(r"\S+", "please meet meeting session sessions lets let's let us we can - @"))


def fold(text: str) -> str:
    """Lower case without accents, so "Mittwoch"/"miércoles" match however they are typed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _alternation(words: Collection[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    """Built once per set of languages: the phrase-independent part of reading."""

    days: dict[str, int]
    plurals: frozenset[str]
    months: dict[str, int]
    words: dict[str, str]
    fuzzy: tuple[str, ...]
    known: frozenset[str]
    day_re: re.Pattern[str]
    month_re: re.Pattern[str]
    lexicon: re.Pattern[str]
    ordinal_re: re.Pattern[str]


@lru_cache(maxsize=32)
def vocabulary_of(languages: tuple[str, ...]) -> Vocabulary:
    """Weekday and month names from dateparser's data, so any language it knows has them;
    short forms ("di", "mar") are left out: they collide with other words."""
    days = {name: i for i, name in enumerate(WEEKDAYS)} | dict(_EN_DAYS)
    months = {name[:3]: i for i, name in enumerate(MONTHS, 1)} | {"sept": 9}
    months |= {name: i for i, name in enumerate(MONTHS, 1)}
    words: dict[str, str] = {}
    for language in languages:
        info = default_loader.get_locale(language).info
        for i, name in enumerate(WEEKDAYS):
            days |= {fold(n): i for n in info.get(name, []) if len(n) >= 4}
        for i, name in enumerate(MONTHS, 1):
            months |= {fold(n).rstrip("."): i for n in info.get(name, []) if len(n) >= 3}
        words |= _LEXICON.get(language, {})
    plurals = {n + "s": i for n, i in days.items() if len(n) > 3 and n[-1] != "s"}
    plurals = {n: i for n, i in plurals.items() if n not in days}
    days |= plurals
    months = {name: m for name, m in months.items() if name not in days and name not in words}
    day = _alternation(days)
    return Vocabulary(
        days=days,
        plurals=frozenset(plurals),
        months=months,
        words=words,
        fuzzy=(*(n for n in days if len(n) >= 6), "every"),
        known=frozenset(re.findall(r"[a-z]+", " ".join([*days, *months, *words, *words.values()]))),
        day_re=re.compile(rf"\b(?:(next|this|coming)\s+)?({day})\b(\s+next)?"),
        month_re=re.compile(rf"\b({_alternation(months)})\b\.?"),
        lexicon=re.compile(rf"(?<![\w'])({_alternation(words)})(?![\w'])"),
        ordinal_re=re.compile(
            rf"\b(?:(?:on\s+)?the\s+|(every|each)\s+)?({_alternation(ORDINAL_WORDS)})\s+({day})\b"
        ),
    )


@lru_cache(maxsize=4096)
def corrected(word: str, languages: tuple[str, ...]) -> str:
    """A misspelt weekday ("Teusdays") or "evry" becomes the word meant; others stay."""
    vocabulary = vocabulary_of(languages)
    if word in vocabulary.known:  # "viene" (es) is not a misspelt "viernes"
        return word
    close = difflib.get_close_matches(word, vocabulary.fuzzy, n=1, cutoff=0.8)
    return close[0] if close else word


@lru_cache(maxsize=64)
def languages_of(requested: tuple[str, ...]) -> tuple[str, ...]:
    """ "de-DE" -> "de"; English always; languages dateparser doesn't know are dropped."""
    found = ["en"]
    for short in (code.replace("_", "-").split("-")[0].lower() for code in requested):
        try:
            found += [] if short in found else [default_loader.get_locale(short).shortname]
        except (ValueError, KeyError):
            continue
    return tuple(found)


@lru_cache(maxsize=1)
def zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}
