"""STOP, START and HELP in English and Spanish, however they are typed."""

import pytest

from referrals.texting.keywords import keyword_of


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "stop",
        " Stop ",
        "sToP.",
        "S T O P",
        "ALTO",
        "alto!",
        "Parar",
        "CANCELAR",
        "Cancel",
        "unsubscribe",
        "No más",
        "  detener  ",
        "BAJA",
    ],
)
def test_stop_words_opt_out(body):
    assert keyword_of(body) == "stop"


@pytest.mark.parametrize("body", ["START", "start ", "Iniciar", "SÍ", "si", "Yes"])
def test_start_words_opt_back_in(body):
    assert keyword_of(body) == "start"


@pytest.mark.parametrize("body", ["HELP", "help?", "Ayuda", " AYUDA ", "info"])
def test_help_words_ask_for_help(body):
    assert keyword_of(body) == "help"


@pytest.mark.parametrize(
    "body",
    [
        "Please stop calling me after 5",
        "Alto ahí, llamo mañana",
        "helpful",
        "",
        "ok",
        "stop " * 20,
    ],
)
def test_a_sentence_is_a_reply_not_a_keyword(body):
    assert keyword_of(body) == ""
