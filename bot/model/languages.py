"""Languages people can have their sessions in, as both sides typed them.

Mentors type theirs in the offer form and mentees in the ask form ("English, Spanish",
"es", "Español", "english and german"); matching compares them by one key per language, so
the common codes and native names of the same language meet. Anything else compares by its
own casefolded spelling, so two people who wrote "Klingon" still meet."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_NAMES: dict[str, tuple[str, ...]] = {
    "Arabic": ("ar", "ara", "العربية", "arabe", "arabisch"),
    "Bengali": ("bn", "bangla", "বাংলা"),
    "Chinese": ("zh", "zho", "mandarin", "中文", "汉语", "普通话", "chinois", "chino"),
    "Cantonese": ("yue", "粵語", "广东话"),
    "Czech": ("cs", "čeština", "cestina"),
    "Danish": ("da", "dansk"),
    "Dutch": ("nl", "nederlands", "néerlandais", "flemish", "vlaams"),
    "English": ("en", "eng", "anglais", "inglés", "ingles", "englisch", "inglese", "inglês"),
    "Finnish": ("fi", "suomi"),
    "French": ("fr", "fra", "français", "francais", "francés", "frances", "französisch"),
    "German": ("de", "deu", "deutsch", "allemand", "alemán", "aleman", "tedesco"),
    "Greek": ("el", "ελληνικά"),
    "Hebrew": ("he", "iw", "עברית"),
    "Hindi": ("hi", "हिन्दी", "हिंदी"),
    "Hungarian": ("hu", "magyar"),
    "Indonesian": ("id", "bahasa indonesia", "bahasa"),
    "Italian": ("it", "italiano", "italien", "italienisch"),
    "Japanese": ("ja", "jp", "日本語", "japonais"),
    "Korean": ("ko", "한국어", "coréen"),
    "Norwegian": ("no", "nb", "norsk", "bokmål"),
    "Polish": ("pl", "polski"),
    "Portuguese": ("pt", "português", "portugues", "portugais", "portugiesisch"),
    "Romanian": ("ro", "română", "romana"),
    "Russian": ("ru", "русский", "russe"),
    "Spanish": ("es", "spa", "español", "espanol", "castellano", "espagnol", "spanisch"),
    "Swahili": ("sw", "kiswahili"),
    "Swedish": ("sv", "svenska"),
    "Tagalog": ("tl", "filipino", "fil"),
    "Thai": ("th", "ไทย"),
    "Turkish": ("tr", "türkçe", "turkce"),
    "Ukrainian": ("uk", "українська"),
    "Urdu": ("ur", "اردو"),
    "Vietnamese": ("vi", "tiếng việt", "tieng viet"),
}
_KEYS: dict[str, str] = {
    alias.casefold(): name for name, aliases in _NAMES.items() for alias in (name, *aliases)
}
_SEPARATORS = re.compile(r"\s*(?:,|;|/|\||\+|&|\band\b|\bund\b|\bet\b|\by\b|\n)\s*", re.I)
MAX_LANGUAGES = 10
MAX_LANGUAGE = 40


@lru_cache(maxsize=4096)
def language_key(name: str) -> str:
    """One spelling per language: its English name, or the casefolded words as typed."""
    words = " ".join(name.casefold().split())
    words = re.sub(r"\s*\(.*\)$", "", words)  # "English (fluent)"
    return _KEYS.get(words, words)


def language_name(name: str) -> str:
    """How a language is written back to people: "Spanish" for "es" or "español"."""
    key = language_key(name)
    return key if key in _NAMES else " ".join(name.split())


def parse_languages(text: str) -> list[str]:
    """The languages in what someone typed, each once, in their order, named as we show them."""
    return known_languages(_SEPARATORS.split(text))


def known_languages(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name.strip():
            seen.setdefault(language_key(name), language_name(name))
    return list(seen.values())
