"""Name parsing speed: MediaVault's parse_name against plain guessit per name, on the same names.

Run: .venv/bin/python benchmarks/bench_naming.py [--names 3000] [--seed N]

The names are a generated mix in the proportions of a library that Sonarr and Radarr keep, with
a downloads folder beside it: Sonarr-renamed episodes (with and without the quality suffix),
scene episode and movie releases, Radarr-renamed movies, and a fifth of harder names (fansub
anime, daily shows, multi-episode files, editions, 3D, stacked parts, extras, hand-named files).
Every path is different, as on a first scan, so the cache gives nothing here; a second pass over
the same names shows what it gives on a rescan in the same process.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from guessit import guessit

from mediavault_assets.domain import naming
from mediavault_assets.domain.naming import MediaTypeHint, parse_name

_WORDS = (  # noqa: SIM905
    "north river shadow glass empire winter garden silent night house crown broken circle "
    "iron saint valley storm last light fire ocean city road hunter stone dark golden blood "
    "hollow heart machine wild kingdom echo signal harbor ghost summer island line fortune "
    "paper moon mirror station orchard lantern cold street tower flight secret company"
).split()
_TAGS = (
    "720p.HDTV.x264",
    "1080p.WEB-DL.DDP5.1.H.264",
    "1080p.AMZN.WEB-DL.DDP5.1.H.264",
    "2160p.NF.WEB-DL.DDP5.1.HEVC",
    "1080p.BluRay.x264",
    "720p.WEBRip.x264",
)
_GROUPS = ("NTb", "FLUX", "SPARKS", "AMIABLE", "KILLERS", "DIMENSION", "CtrlHD", "ETHEL")
_QUALITY = ("", " [WEBDL-1080p]", " [HDTV-720p]", " [Bluray-1080p]", " [Bluray-2160p]")
_HARD: tuple[tuple[str, MediaTypeHint], ...] = (
    ("[SubsPlease] {t} - {n:02d} (1080p) [ABCD1234].mkv", "tv"),
    ("[Grp] {t} - {n:03d} [720p].mkv", "tv"),
    ("{d}.{y}.{m:02d}.{dd:02d}.720p.WEB.h264-{g}.mkv", "tv"),
    ("{d}.S{s:02d}E{e:02d}E{e2:02d}.720p.HDTV.x264-{g}.mkv", "tv"),
    ("{t} - {s}x{e:02d}-{s}x{e2:02d} - {w}.avi", "tv"),
    ("{t} - Season {s} Episode {e}.mkv", "tv"),
    ("{d}.{y}.Directors.Cut.1080p.BluRay.x264-{g}.mkv", "movie"),
    ("{d}.{y}.3D.HSBS.1080p.BluRay.x264-{g}.mkv", "movie"),
    ("{d}.{y}.CD{n1}.DVDRip.XviD-{g}.avi", "movie"),
    ("Movies/{t} ({y})/{t} ({y})-trailer.mp4", "movie"),
    ("{t} {y} 720p.mkv", "movie"),
    ("{d}.{y}.EXTENDED.1080p.BluRay.x264-{g}.mkv", "movie"),
)


def generate(count: int, seed: int) -> list[tuple[str, MediaTypeHint]]:
    """`count` distinct (relative path, root type) pairs in a realistic mix."""
    rng = random.Random(seed)
    names: dict[str, MediaTypeHint] = {}

    def title(words: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(words)).title()

    while len(names) < count:
        t = title(rng.randint(1, 3)) if rng.random() < 0.3 else f"The {title(rng.randint(1, 2))}"
        d, y = t.replace(" ", "."), rng.randint(1960, 2024)
        s, e, g = rng.randint(1, 12), rng.randint(1, 22), rng.choice(_GROUPS)
        roll = rng.random()
        if roll < 0.40:
            quality = rng.choice(_QUALITY)
            path = f"TV/{t}/Season {s:02d}/{t} - S{s:02d}E{e:02d} - {title(2)}{quality}.mkv"
            names[path] = "tv"
        elif roll < 0.55:
            names[f"downloads/{d}.S{s:02d}E{e:02d}.{rng.choice(_TAGS)}-{g}.mkv"] = "tv"
        elif roll < 0.70:
            quality = rng.choice(("", " Bluray-1080p", " Remux-2160p", " WEBDL-1080p"))
            names[f"Movies/{t} ({y})/{t} ({y}){quality}.mkv"] = "movie"
        elif roll < 0.80:
            names[f"downloads/{d}.{y}.{rng.choice(_TAGS)}-{g}.mkv"] = "movie"
        else:
            template, hint = rng.choice(_HARD)
            path = template.format(
                t=t,
                d=d,
                y=y,
                s=s,
                e=e,
                e2=e + 1,
                g=g,
                n=rng.randint(1, 999),
                n1=rng.randint(1, 2),
                m=rng.randint(1, 12),
                dd=rng.randint(1, 28),
                w=title(2),
            )
            names[path] = hint
    return list(names.items())


def _rate(
    parse: Callable[[str, MediaTypeHint], object], items: list[tuple[str, MediaTypeHint]]
) -> float:
    start = time.perf_counter()
    for path, hint in items:
        parse(path, hint)
    return len(items) / (time.perf_counter() - start)


def _plain_guessit(path: str, hint: MediaTypeHint) -> object:
    return guessit(path, {"type": "episode" if hint == "tv" else "movie"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    items = generate(args.names, args.seed)
    fast = sum(1 for path, hint in items if naming._common_shape_guess(naming._prepare(path), hint))
    for hint in ("tv", "movie"):  # build guessit's rules before any clock starts
        parse_name(f"Warm.Up.S01E01.{hint}.mkv", hint)
        _plain_guessit(f"Warm.Up.S01E01.{hint}.mkv", hint)
    parse_name.cache_clear()
    guessit_rate = _rate(_plain_guessit, items)
    ours_rate = _rate(parse_name, items)
    cached_rate = _rate(parse_name, items)
    print(f"{len(items)} names, {fast} ({fast / len(items):.0%}) in a common shape")
    print(f"plain guessit per name : {guessit_rate:10.0f} names/s")
    print(f"MediaVault parse_name  : {ours_rate:10.0f} names/s  ({ours_rate / guessit_rate:.1f}x)")
    print(f"MediaVault, cached     : {cached_rate:10.0f} names/s  (second pass)")


if __name__ == "__main__":
    main()
