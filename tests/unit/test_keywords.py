"""Keywords: a whole message that is a keyword, in any case, with punctuation around it."""

from __future__ import annotations

import pytest

from smsgate.domain.keywords import Keyword, KeywordRules, parse_words

RULES = KeywordRules()


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe!", "End"])
def test_the_default_stop_words_opt_out(text: str) -> None:
    assert RULES.classify(text) is Keyword.STOP


@pytest.mark.parametrize("text", ["START", "unstop"])
def test_the_default_start_words_opt_in(text: str) -> None:
    assert RULES.classify(text) is Keyword.START


def test_help_is_a_keyword() -> None:
    assert RULES.classify("help?") is Keyword.HELP


@pytest.mark.parametrize("text", ["please stop", "STOP IT", "stopped", "", "   "])
def test_a_message_that_is_more_or_less_than_a_keyword_is_none(text: str) -> None:
    assert RULES.classify(text) is None


def test_an_accounts_own_words_replace_the_defaults() -> None:
    rules = KeywordRules(stop_words=parse_words(["Koniec"]))
    assert rules.classify("KONIEC") is Keyword.STOP
    assert rules.classify("STOP") is None


def test_a_word_cannot_be_in_two_lists() -> None:
    with pytest.raises(ValueError, match="only one"):
        KeywordRules(start_words=parse_words(["stop"]))


def test_a_keyword_is_a_single_word() -> None:
    with pytest.raises(ValueError, match="one word"):
        parse_words(["stop now"])


def test_no_answer_is_sent_unless_configured() -> None:
    assert RULES.reply_to(Keyword.STOP) is None
    assert KeywordRules(help_reply="Call us").reply_to(Keyword.HELP) == "Call us"
