"""Numbers in a review that the paper text does not contain.

A small model reviewing an abstract invents numbers: a 35% gain the abstract never reports.
Each number in a review must match a number of the text the model was shown, in any of its
usual spellings: "175B" = "175 billion", "1/7th", "2x" = "twice", "51.6%" rounded to "52%";
"fifty thousand" is 50,000. The numbers of references and lists ("Table 2", "Eq. 2-5", "[3]",
"(1)") are no claims and are not checked.
"""

from __future__ import annotations

import math
import re
import unicodedata


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces: how quotes and paper are compared."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_SCALE = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9,
    "billion": 1e9, "t": 1e12, "trillion": 1e12,
}  # fmt: skip


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1e6, "billion": 1e9, "trillion": 1e12, "dozen": 12, "single": 1, "once": 1,
    "twice": 2, "double": 2, "doubles": 2, "doubled": 2, "doubling": 2, "thrice": 3,
    "triple": 3, "tripled": 3, "half": 0.5, "halves": 0.5, "halved": 0.5, "quarter": 0.25,
    "first": 1,
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10, "hundredth": 100,
    "seventh": 7, "sixth": 6, "eighth": 8, "ninth": 9, "both": 2, "pair": 2,
}  # fmt: skip


_CARDINALS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)  # fmt: skip


_MAGNITUDES = {
    w: _NUMBER_WORDS[w] for w in ("hundred", "thousand", "million", "billion", "trillion")
}


_CARDINAL = rf"(?:{'|'.join(_CARDINALS)})(?:-(?:{'|'.join(_CARDINALS)}))?"


# "fifty thousand", "a million", "two hundred and fifty": a number in words with a magnitude
# (plurals such as "thousands of" are vague and not matched; a lone "two" is left alone, it is
# mostly a count of things the abstract lists)
SPELLED_RE = re.compile(
    rf"\b(?:a|{_CARDINAL})(?:[\s-]+(?:and\s+)?(?:{_CARDINAL}|{'|'.join(_MAGNITUDES)}))*"
    rf"[\s-]+(?:{'|'.join(_MAGNITUDES)})\b(?:[\s-]+(?:and\s+)?{_CARDINAL}\b)?",
    re.I,
)


def spelled_value(phrase: str) -> float:
    """The value of a number written in words ("two hundred and fifty thousand" -> 250,000)."""
    total = current = 0.0
    for word in re.split(r"[\s-]+", phrase.lower()):
        if word == "a":
            current = current or 1
        elif word in _MAGNITUDES:
            current = (current or 1) * _MAGNITUDES[word]
            if word != "hundred":
                total, current = total + current, 0.0
        elif word != "and":
            current += float(_NUMBER_WORDS[word])
    return total + current


# A number not glued to a name ("GPT-4", "ResNet-50", "L2" and "3D" are names, checked as
# such), with an optional scale or unit suffix ("175B", "10k", "2x", "30%", "1/7th").
NUMBER_RE = re.compile(
    r"(?<![\w.])(?<![A-Za-z_][-/])(?:\$|€|£)?(\d+(?:,\d{3})+|\d*\.\d+|\d+)"
    r"(?:\s*/\s*(\d+)(?:st|nd|rd|th)?)?"
    r"(?:\s*(%|×|(?:x|k|m|mn|b|bn|t|thousand|million|billion|trillion|percent|st|nd|rd|th|s)\b)"
    r"|(?=\W|$))",
    re.I,
)


_PART = (
    r"fig(?:ure)?s?|tab(?:le)?s?|sec(?:tion)?s?|§|eqs?|equations?|appendix|appendices|lines?|"
    r"l|ll|alg(?:orithm)?s?|thm|theorems?|lemmas?|prop(?:osition)?s?|corollar(?:y|ies)|eqn|"
    r"def(?:inition)?s?|pages?|pp?|steps?|stages?|phases?|q|w|items?|points?|questions?|"
    r"comments?|weakness(?:es)?|strengths?|chapters?|parts?|rows?|columns?|cols?|refs?|"
    r"references?|assumptions?|remarks?|examples?|claims?|cases?|exp(?:eriment)?s?|paragraphs?"
)


# "Table 2", "Eq. 2-5", "Sections 3 and 4": a number that points at a part of the paper
REFERENCE_RE = re.compile(
    rf"\b(?:{_PART})\.?\s*(?:[(\[]?[\dA-Za-z]{{1,3}}(?:\.\d+)*[)\]]?\s*"
    r"(?:[-–,/&]\s*|and\s+|to\s+|or\s+|through\s+)+)*[(\[]?$",
    re.I,
)


# "[3]", "[1, 2, 4]", "#2", "Weston'16"
CITATION_RE = re.compile(r"(?:\[(?:\s*\d+\s*[,;–-])*\s*|#|['’])$")


# "(1) ... (2) ...", "1) ...": enumeration markers after a sentence or clause boundary
LIST_RE = re.compile(r"(?:^|[.:;!?]\s+|\n\s*)$")


def _values(number: str, denominator: str | None, suffix: str) -> set[float]:
    """Every value a written number may stand for: itself, scaled, as a fraction or percent."""
    value = float(number.replace(",", ""))
    out = {value}
    unit = suffix.lower()
    if unit in _SCALE:
        out.add(value * _SCALE[unit])
    if unit in {"%", "percent"}:
        out.add(value / 100)
    if 0 < value < 1:
        out.add(value * 100)
    if denominator:
        den = float(denominator)
        out.add(den)
        if den:
            out.add(value / den)
    if value and value < 1:
        out.add(1 / value)  # "0.5x the memory" = "half" = "2x less"
    return out


def numbers(text: str) -> list[tuple[str, set[float]]]:
    """(as written, possible values) for each number written with digits in ``text``, except
    the numbers of references and lists ("Table 2", "Eq. 2-5", "[3]", "(1)", "2)"), and each
    one spelled out with a magnitude ("fifty thousand")."""
    found = [
        (m.group(0).strip(), _values(m.group(1), m.group(2), m.group(3) or ""))
        for m in NUMBER_RE.finditer(text)
        if not _is_reference(text, m.start(), m.end())
    ]
    return found + [(m.group(0), {spelled_value(m.group(0))}) for m in SPELLED_RE.finditer(text)]


def _is_reference(text: str, start: int, end: int) -> bool:
    """A citation "[3]", a marker "#2", "(1)" or "2)" / "2." opening a clause, a part "Table 2"."""
    before, after = text[max(0, start - 40) : start], text[end : end + 1]
    if REFERENCE_RE.search(before) or CITATION_RE.search(before):
        return True
    if not text[:start].strip() and re.match(r"\s+[A-Z\"“]", text[end : end + 3]):
        return True  # "2 The explanation is ...": an item number opening the comment
    if before.endswith("(") and after == ")" and not before[-2:-1].isalpha():
        return True
    return after in {")", "."} and bool(LIST_RE.search(before))


def source_values(source: str) -> set[float]:
    """All values the paper text states, with digits or in words."""
    values: set[float] = set()
    for match in re.finditer(r"\d+(?:,\d{3})+|\d*\.\d+|\d+", source):
        values.add(float(match.group(0).replace(",", "")))
    for _, found in numbers(source):
        values |= found
    for word in re.findall(r"[a-z]+", source.lower()):
        if word in _NUMBER_WORDS:
            values |= _values(str(_NUMBER_WORDS[word]), None, "")
    return values


def _close(review: float, paper: float) -> bool:
    """Equal, or the paper's value rounded to as many decimals as the review wrote."""
    if math.isclose(review, paper, rel_tol=1e-6, abs_tol=1e-9):
        return True
    return any(round(paper, places) == review for places in range(4))


def invented_numbers(text: str, values: set[float]) -> list[str]:
    """Numbers in ``text`` none of whose readings is among ``values`` (``source_values``)."""
    out = []
    for written, readings in numbers(text):
        if not any(_close(r, v) for r in readings for v in values):
            out.append(written)
    return out
