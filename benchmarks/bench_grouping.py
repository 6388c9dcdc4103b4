"""How duplicate grouping scales: 50,000 and 100,000 generated files, against naive all-pairs.

Run: .venv/bin/python benchmarks/bench_grouping.py [--seed N]

The library is generated: shows with seasons and episodes, movies with years, editions, stacked
parts and extras, and 5-10 % duplicates (exact copies, other encodes, names with a release group
glued to the title or a typo, double episodes). Grouping works on parsed names, so no guessit runs.
The baseline compares every title with every other with rapidfuzz's cdist on a 5,000 sample and
extrapolates quadratically, which is what matching without blocks would cost.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace

from rapidfuzz import fuzz, process

from mediavault_assets.domain.grouping import group_duplicates
from mediavault_assets.domain.model import LibraryFile, ParsedName, ProbeFacts, file_id_for

SIZES = (50_000, 100_000)
BASELINE_SAMPLE = 5_000
TIERS = ((3840, 2160, "hevc", 25_000), (1920, 1080, "h264", 8_000), (1280, 720, "h264", 4_000))
RELEASE_GROUPS = ("TVLab", "WonderCrew", "NTb", "FLUX", "SPARKS", "AMIABLE")


class LibraryGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.inode = 0
        self.words = sorted({self._word() for _ in range(3_000)})

    def _word(self) -> str:
        consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
        syllables = self.rng.randint(1, 3)
        return "".join(
            self.rng.choice(consonants) + self.rng.choice(vowels) for _ in range(syllables)
        )

    def _title(self) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(self.rng.randint(2, 4))).title()

    def _file(
        self, root: str, relative: str, parsed: ParsedName, *, md5: str | None = None
    ) -> LibraryFile:
        width, height, codec, bitrate = self.rng.choice(TIERS)
        self.inode += 1
        return LibraryFile(
            file_id=file_id_for(root, relative),
            root_key=root,
            relative_path=relative,
            path=f"/volume1/{root}/{relative}",
            size=self.rng.randint(200_000_000, 40_000_000_000),
            device=1,
            inode=self.inode,
            nlink=1,
            mtime=1_600_000_000.0 + self.inode,
            parsed=parsed,
            probe=ProbeFacts(
                duration=2_700.0,
                width=width,
                height=height,
                video_codec=codec,
                bitrate=bitrate,
                audio_channels=2.0,
                audio_track_count=1,
                audio_languages=("en",),
            ),
            md5=md5,
        )

    def originals(self, count: int) -> list[LibraryFile]:
        files: list[LibraryFile] = []
        while len(files) < count:
            title = self._title()
            if self.rng.random() < 0.6:
                for season in range(1, self.rng.randint(1, 6) + 1):
                    for number in range(1, self.rng.randint(8, 22) + 1):
                        parsed = ParsedName(
                            title, title.lower(), "tv", season=season, episodes=(number,)
                        )
                        files.append(
                            self._file(
                                "videos", f"TV/{title}/S{season:02d}E{number:02d}.mkv", parsed
                            )
                        )
            else:
                year = self.rng.randint(1950, 2024)
                parsed = ParsedName(title, title.lower(), "movie", year=year)
                files.append(self._file("videos", f"Movies/{title} ({year}).mkv", parsed))
                roll = self.rng.random()
                if roll < 0.05:
                    cut = replace(parsed, edition="Director's Cut")
                    files.append(
                        self._file("videos", f"Movies/{title} ({year}) Directors Cut.mkv", cut)
                    )
                elif roll < 0.08:
                    files.append(
                        self._file(
                            "videos",
                            f"Movies/{title} ({year}) sample.mkv",
                            replace(parsed, extra_kind="sample"),
                        )
                    )
                elif roll < 0.10:
                    for part in (1, 2):
                        files.append(
                            self._file(
                                "videos",
                                f"Movies/{title} ({year}) CD{part}.avi",
                                replace(parsed, part=part),
                            )
                        )
        return files[:count]

    def duplicate(self, original: LibraryFile, index: int) -> LibraryFile:
        parsed = original.parsed
        relative = f"downloads/{index}/{original.filename}"
        kind = self.rng.random()
        if kind < 0.3:  # a byte-identical copy
            copy = self._file("docker", relative, parsed, md5=original.md5)
            return replace(copy, size=original.size, probe=original.probe)
        if kind < 0.55:  # the release group glued to the title, as guessit leaves it
            title = f"{parsed.title} {self.rng.choice(RELEASE_GROUPS)}"
            return self._file(
                "docker", relative, replace(parsed, title=title, title_key=title.lower())
            )
        if kind < 0.7:  # a doubled letter
            key = parsed.title_key
            at = self.rng.randrange(len(key))
            typo = key[:at] + key[at] + key[at:]
            return self._file(
                "docker", relative, replace(parsed, title=typo.title(), title_key=typo)
            )
        if kind < 0.8 and parsed.media_type == "tv":  # a double episode
            first = parsed.episodes[0]
            return self._file("docker", relative, replace(parsed, episodes=(first, first + 1)))
        return self._file("docker", relative, parsed)  # another encode of the same name

    def library(self, size: int) -> list[LibraryFile]:
        share = self.rng.uniform(0.05, 0.10)
        originals = self.originals(round(size / (1 + share)))
        copies = []
        for index in range(size - len(originals)):
            at = self.rng.randrange(len(originals))
            if originals[at].md5 is None:  # every file whose size collides gets its full MD5
                md5 = "".join(self.rng.choices("0123456789abcdef", k=32))
                originals[at] = replace(originals[at], md5=md5)
            copies.append(self.duplicate(originals[at], index))
        return originals + copies


def time_grouping(files: list[LibraryFile]) -> tuple[float, int]:
    started = time.perf_counter()
    groups = group_duplicates(files)
    return time.perf_counter() - started, len(groups)


def time_all_pairs(titles: list[str]) -> float:
    started = time.perf_counter()
    process.cdist(titles, titles, scorer=fuzz.token_sort_ratio, score_cutoff=70, workers=1)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    results = {}
    for size in SIZES:
        generator = LibraryGenerator(args.seed)
        files = generator.library(size)
        seconds, groups = time_grouping(files)
        results[size] = seconds
        copies = sum(1 for f in files if f.root_key == "docker")
        print(
            f"grouping {len(files):>7,} files ({copies:,} duplicates generated): "
            f"{seconds:6.2f} s, {groups:,} groups"
        )
    small, large = SIZES
    ratio = results[large] / results[small]
    print(
        f"growth {large // 1000}k / {small // 1000}k: {ratio:.2f}x "
        f"(linear would be {large / small:.1f}x)"
    )

    sample = LibraryGenerator(args.seed).library(BASELINE_SAMPLE)
    pairs_seconds = time_all_pairs([f.parsed.title_key for f in sample])
    print(f"naive all-pairs cdist on {BASELINE_SAMPLE:,} titles: {pairs_seconds:6.2f} s")
    for size in SIZES:
        estimate = pairs_seconds * (size / BASELINE_SAMPLE) ** 2
        print(
            f"  extrapolated to {size:>7,}: {estimate:8.1f} s "
            f"({estimate / results[size]:,.0f}x the blocked grouping)"
        )


if __name__ == "__main__":
    main()
