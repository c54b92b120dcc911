"""The keywords a patient may reply, in English and Spanish: a whole message that
is one of them, whatever its casing, spacing, accents or punctuation."""

import unicodedata

STOP = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "alto",
        "parar",
        "para",
        "cancelar",
        "detener",
        "baja",
        "nomas",
        "nomasmensajes",
    }
)
START = frozenset({"start", "unstop", "yes", "iniciar", "inicio", "si", "comenzar"})
HELP = frozenset({"help", "info", "ayuda", "informacion"})


def _folded(body: str) -> str:
    """Lower case, accents dropped, only letters kept: " Alto! " → "alto"."""
    decomposed = unicodedata.normalize("NFKD", body.casefold())
    return "".join(c for c in decomposed if c.isalpha() and c.isascii())


def keyword_of(body: str) -> str:
    """ "stop", "start", "help", or "" when the message is not a keyword."""
    if len(body) > 40:
        return ""
    word = _folded(body)
    for name, words in (("stop", STOP), ("start", START), ("help", HELP)):
        if word in words:
            return name
    return ""
