"""Real-looking Chinese and translated names for pupils, staff and authors, with their 拼音 computed once per name."""

from __future__ import annotations

import itertools
import random
from functools import cache

from xiaotu import pinyin
from xiaotu.demo import words


@cache
def name_pinyin(name: str) -> tuple[str, str]:
    """(full 拼音, initials) of a person's name, as the readers service stores them (单 shan, 曾 zeng)."""
    return pinyin.name_pinyin(name), pinyin.name_initials(name)


class Namer:
    """Draws names the way a school roster looks: common surnames far more often than rare ones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [*words.SURNAMES, *words.RARE_SURNAMES]
        # Roughly Zipf: 王 and 李 are each some twenty times as common as the surnames at the end of the list.
        self.surname_weights = list(itertools.accumulate(1 / (i + 4) for i in range(len(self.surnames))))

    def surname(self) -> str:
        surname: str = self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
        return surname

    def _given(self, chars: str, two: float) -> str:
        first = self.rng.choice(chars)
        if self.rng.random() >= two:
            return first
        second = self.rng.choice(chars)
        while second == first:
            second = self.rng.choice(chars)
        return first + second

    def child(self, gender: str) -> str:
        """A pupil's name: mostly two given characters, as parents have chosen since the 1990s."""
        return self.surname() + self._given(words.BOY_CHARS if gender == "m" else words.GIRL_CHARS, 0.85)

    def adult(self, gender: str) -> str:
        """A teacher's or author's name: more single-character given names, as their generation has."""
        return self.surname() + self._given(words.MAN_CHARS if gender == "m" else words.WOMAN_CHARS, 0.55)

    def foreign(self, country: str = "") -> tuple[str, str]:
        """(country mark, translated name), e.g. ("美", "艾米莉·卡特"); Japanese names are written without a dot."""
        country = country or self.rng.choice(list(words.FOREIGN_NAMES))
        first, second = (self.rng.choice(part) for part in words.FOREIGN_NAMES[country])
        return country, (first + second if country == "日" else f"{first}·{second}")
