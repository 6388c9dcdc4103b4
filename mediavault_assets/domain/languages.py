"""Language codes: normalize whatever containers and file names say to ISO 639-1.

Seed 000's "Language Detection Logic": audio and subtitle languages as ISO 639-1 codes,
has_english_audio, has_english_subtitles and the foreign-film heuristic.
"""

from __future__ import annotations

from dataclasses import dataclass

from babelfish import Error as BabelfishError
from babelfish import Language

UNDETERMINED = "und"
ENGLISH = "en"
# Subtitle flavours kept as a suffix ("en-sdh"): they still count as English subtitles.
SUBTITLE_FLAVOURS = ("sdh", "cc", "forced")
_NAME_ALIASES = {"castilian": "es", "brazilian": "pt", "flemish": "nl", "farsi": "fa"}


def normalize_language(raw: str | None) -> str:
    """ "eng", "English", "en-US", "EN" → "en"; anything unknown or empty → "und"."""
    if raw is None:
        return UNDETERMINED
    text = raw.strip().lower().replace("_", "-")
    if not text or text in {"und", "unk", "unknown", "mis", "mul", "zxx", "none", "n/a"}:
        return UNDETERMINED
    base = text.split("-", 1)[0].split(" ", 1)[0]
    if base in _NAME_ALIASES:
        return _NAME_ALIASES[base]
    try:
        if len(base) == 2:
            return Language.fromalpha2(base).alpha2
        if len(base) == 3:
            try:
                return Language.fromalpha3b(base).alpha2
            except (ValueError, BabelfishError):
                return Language(base).alpha2
        return Language.fromname(base.capitalize()).alpha2
    except (ValueError, KeyError, BabelfishError):
        # No ISO 639-1 form (e.g. "fil", "yue") or not a language at all.
        return UNDETERMINED


def normalize_subtitle_language(raw: str | None, *, flags: tuple[str, ...] = ()) -> str:
    """Like normalize_language, keeping an SDH/forced flavour: "eng" + ("sdh",) → "en-sdh"."""
    code = normalize_language(raw)
    parts = (raw or "").lower().replace("_", "-").replace(".", "-").split("-")
    flavour = next((f for f in SUBTITLE_FLAVOURS if f in parts or f in flags), None)
    return f"{code}-{flavour}" if flavour and code != UNDETERMINED else code


def base_language(code: str) -> str:
    return code.split("-", 1)[0]


@dataclass(frozen=True, slots=True)
class LanguageFacts:
    audio_languages: tuple[str, ...]  # untagged tracks resolved to the original language
    subtitle_languages: tuple[str, ...]
    has_english_audio: bool
    has_english_subtitles: bool
    is_foreign_film: bool


def language_facts(
    audio_languages: tuple[str, ...] | list[str],
    subtitle_languages: tuple[str, ...] | list[str],
    original_language: str | None = None,
) -> LanguageFacts:
    """Seed 000's detection logic, with untagged audio taking the title's original language.

    A foreign film is one whose audio is not English but which carries English subtitles with a
    single audio language (the seed's heuristic), or whose audio is its non-English original
    language (seed 000: "Original language version of French film").
    """
    original = normalize_language(original_language) if original_language else UNDETERMINED
    audio = tuple(
        original if lang == UNDETERMINED and original != UNDETERMINED else lang
        for lang in audio_languages
    )
    subtitles = tuple(subtitle_languages)
    has_en_audio = ENGLISH in audio
    has_en_subs = any(base_language(s) == ENGLISH for s in subtitles)
    known_audio = {a for a in audio if a != UNDETERMINED}
    original_foreign = original not in (UNDETERMINED, ENGLISH) and original in known_audio
    # A dub of an English-language title is not a foreign film, whatever its subtitles.
    is_foreign = (
        not has_en_audio
        and original != ENGLISH
        and ((has_en_subs and len(known_audio) == 1) or original_foreign)
    )
    return LanguageFacts(audio, subtitles, has_en_audio, has_en_subs, is_foreign)
