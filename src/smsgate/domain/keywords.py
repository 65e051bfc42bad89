"""Keywords a subscriber sends to opt out, opt back in or ask for help."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"


DEFAULT_STOP_WORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL")
DEFAULT_START_WORDS = ("START", "UNSTOP")
DEFAULT_HELP_WORDS = ("HELP", "INFO")
MAX_WORD = 20
_TRIM = string.whitespace + string.punctuation


def normalise_word(word: str) -> str:
    return word.strip(_TRIM).casefold()


def parse_words(words: Iterable[str]) -> frozenset[str]:
    """Keyword lists as compared: trimmed, case-folded, no empties."""
    result = frozenset(w for w in (normalise_word(word) for word in words) if w)
    if any(len(w) > MAX_WORD or any(c.isspace() for c in w) for w in result):
        raise ValueError(f"a keyword is one word of at most {MAX_WORD} characters")
    return result


@dataclass(frozen=True, slots=True)
class KeywordRules:
    """An account's keywords and the automatic answers to them (None: no answer)."""

    stop_words: frozenset[str] = parse_words(DEFAULT_STOP_WORDS)
    start_words: frozenset[str] = parse_words(DEFAULT_START_WORDS)
    help_words: frozenset[str] = parse_words(DEFAULT_HELP_WORDS)
    stop_reply: str | None = None
    start_reply: str | None = None
    help_reply: str | None = None

    def __post_init__(self) -> None:
        lists = (self.stop_words, self.start_words, self.help_words)
        if sum(len(words) for words in lists) != len(frozenset().union(*lists)):
            raise ValueError("a keyword can be in only one of the stop, start and help lists")

    def classify(self, text: str) -> Keyword | None:
        """The keyword a message is, if the whole message is one (case and surrounding
        punctuation aside): "Stop." opts out, "please don't stop" does not."""
        word = normalise_word(text)
        if word in self.stop_words:
            return Keyword.STOP
        if word in self.start_words:
            return Keyword.START
        if word in self.help_words:
            return Keyword.HELP
        return None

    def reply_to(self, keyword: Keyword) -> str | None:
        return {
            Keyword.STOP: self.stop_reply,
            Keyword.START: self.start_reply,
            Keyword.HELP: self.help_reply,
        }[keyword]
