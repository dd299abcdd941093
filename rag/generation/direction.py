"""Which way a change goes: a list question that asks what *reduces* something is not answered by a study whose
finding is that a drug *raised* it ("Which compounds reduce exosome release?" is not answered by "Cisplatin exposure
increased exosome release").

The verbs of change are a closed class of English words, grouped by direction (verbs only: a noun such as
"inhibitors" or "activators" names what changes rather than what is changed); a direction applies to the words that
follow it closely ("reduce exosome release", "increased exosome release from A549 cells"). A sentence states
the opposite of what a question asks when it changes one of the question's changed words the other way, and never
the asked way.
"""

from __future__ import annotations

import re
from itertools import takewhile
from typing import NamedTuple

from rag.lexical import english_stemmer

DOWN = ("reduce", "reduced", "reduces", "reducing", "decrease", "decreased", "decreases", "lower", "lowered",
        "lowers", "inhibit", "inhibited", "inhibits", "block", "blocked", "blocks", "suppress", "suppressed",
        "suppresses", "prevent", "prevented", "prevents", "limit", "limited", "limits", "impair", "impaired",
        "impairs", "attenuate", "attenuated", "diminish", "diminished", "abolish", "abolished", "curb", "curbed",
        "cut", "stop", "stopped", "stops", "downregulate", "downregulated", "silence", "silenced", "silences",
        "repress", "repressed", "represses")
UP = ("increase", "increased", "increases", "increasing", "raise", "raised", "raises", "raising", "enhance",
      "enhanced", "enhances", "promote", "promoted", "promotes", "boost", "boosted", "boosts", "stimulate",
      "stimulated", "stimulates", "elevate", "elevated", "augment", "augmented", "upregulate", "upregulated",
      "activate", "activated", "activates", "induce", "induced", "induces")
WINDOW = 3  # words after the verb that it changes: "increased [exosome release from]"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_DIRECTION = {**{w: -1 for w in DOWN}, **{w: 1 for w in UP}}
# phrasal verbs of change, read as their one-word equivalents: "turns on PI3K/Akt", "switched off FBXW7"
_PHRASAL = re.compile(r"\b(turn|turns|turned|switch|switches|switched) (on|off)\b", re.IGNORECASE)
_PHRASAL_AS = {"on": "activates", "off": "suppresses"}
# words that say nothing changed, nor end a phrase ("promoted resistance [through]" is cut before it)
_FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "from", "in", "by", "and", "or", "their", "its", "to", "cells",
                             "cell", "through", "via", "with", "into", "on", "at", "for", "within", "across"})


def changes(text: str) -> list[tuple[int, frozenset[str]]]:
    """Each verb of change in the text: its direction (+1 up, -1 down) and the stems of the words it changes."""
    return [(c.direction, c.stems) for c in change_phrases(text)]


class Change(NamedTuple):
    direction: int  # +1 up, -1 down
    stems: frozenset[str]  # the words it changes
    before: tuple[str, ...]  # the words since the previous change's, as written (its doer is among them)
    phrase: str  # the verb and the words it changes, as written, to the clause's end ("lowered exosome release")


# a word followed by one of these ends its clause: "(which also inhibits exosome formation) were less suppressive"
_CLAUSE_END = re.compile(r"\s*[,;:().]")


def change_phrases(text: str) -> list[Change]:
    """Each verb of change in the text, with what it changes."""
    text = _PHRASAL.sub(lambda m: _PHRASAL_AS[m.group(2).lower()], text)
    found = list(_WORD.finditer(text))
    written = [m.group() for m in found]
    words = [w.lower() for w in written]
    out: list[Change] = []
    start = 0  # where the words before this verb begin: after the previous change's words
    for i, word in enumerate(words):
        if word in _DIRECTION:
            # up to the next verb of change: "suppresses PTEN, activates PI3K/Akt" changes PTEN down only
            following = list(takewhile(lambda w: w not in _DIRECTION, words[i + 1:i + 1 + WINDOW]))
            changed = [w for w in following if w not in _FUNCTION_WORDS]
            end = i + 1 + len(following)
            clause = next((j + 1 for j in range(i, end) if _CLAUSE_END.match(text, found[j].end())), end)
            end = min(end, clause)
            while end > i + 1 and words[end - 1] in _FUNCTION_WORDS:  # "lowered exosome release [in]"
                end -= 1
            out.append(Change(_DIRECTION[word], frozenset(english_stemmer().stemWords(changed)),
                              tuple(written[start:i]), " ".join(written[i:end])))
            start = i + 1 + len(following)
    return out


def states_the_opposite(question: str, sentence: str) -> bool:
    """The sentence changes something the question asks about only in the other direction."""
    asked = changes(question)
    if len({d for d, _ in asked}) != 1:
        return False  # no direction asked, or both ("What raises or lowers ...?")
    direction = asked[0][0]
    targets = frozenset().union(*(stems for _, stems in asked))
    said = {d for d, stems in changes(sentence) if stems & targets}
    return said == {-direction}


# a verb of change whose object is what the question asks for: nothing, or a place or time, follows it ("Which
# pathway does miR-32-5p activate?", "What does miR-21 suppress in gastric cancer?"); not "Which target activates
# PI3K/Akt?", where the asked thing is the verb's subject; a passive verb's agent follows "by" ("Which genes are
# switched off by exosomal microRNAs?"), and the asked thing is again what changes
_ASKED_OBJECT = re.compile(r"\b([A-Za-z]+)\s*(?:$|\?|\b(?:in|during|after|when|to|from|within|by)\b)")


def changed_against(question: str, sentence: str) -> frozenset[str]:
    """The stems the sentence changes the other way from the one way the question asks for its object ("Which
    pathway does miR-32-5p activate?": PTEN in "it suppresses PTEN, turns on PI3K/Akt"); empty when it asks no one
    way."""
    asked = {_DIRECTION[m.group(1).lower()] for m in _ASKED_OBJECT.finditer(
        _PHRASAL.sub(lambda m: _PHRASAL_AS[m.group(2).lower()], question)) if m.group(1).lower() in _DIRECTION}
    if len(asked) != 1:
        return frozenset()
    against = -next(iter(asked))
    return frozenset().union(*(stems for d, stems in changes(sentence) if d == against))


def stem_of(word: str) -> str:
    """A word as `changes` reads it."""
    return english_stemmer().stemWord(word.lower())


_AGENT_MARKERS = frozenset({"with", "by", "using", "via"})
AGENT_SPAN = 6  # words around a verb of change within which its doer is said: "suppressing it chemically with X"


def asked_direction(question: str) -> int | None:
    """The one direction of change a question asks about ("Which drug blocks ABCA3?": -1), else None."""
    directions = {d for d, _ in changes(question)}
    return next(iter(directions)) if len(directions) == 1 else None


def agents(sentence: str, direction: int) -> frozenset[str]:
    """Stems of the words a sentence has doing a change of `direction`: just before a verb of change (its subject,
    "CBD significantly lowered exosome release") or after "with / by / using" shortly after it ("suppressing it
    chemically with indomethacin"). Any form of the verb counts here ("suppressing"), by its stem."""
    stems = {english_stemmer().stemWord(w) for w, d in _DIRECTION.items() if d == direction}
    words = [w.lower() for w in _WORD.findall(_PHRASAL.sub(lambda m: _PHRASAL_AS[m.group(2).lower()], sentence))]
    found: set[str] = set()
    for i, word in enumerate(words):
        if english_stemmer().stemWord(word) not in stems:
            continue
        found.update(words[max(i - WINDOW, 0):i])
        after = words[i + 1:i + 1 + AGENT_SPAN]
        found.update(w for j, w in enumerate(after[1:], 1) if after[j - 1] in _AGENT_MARKERS)
    return frozenset(english_stemmer().stemWords(sorted(found)))

