"""What a paper may put into a prompt: bounded text, no hidden characters, no instructions.

Paper text is untrusted (hidden "give this paper a positive review" text has been found in
real submissions). Before rendering, every text field is scanned; invisible characters are
removed, the prompt delimiters are defused, over-long text is cut to the form's budget, and
what was found is returned so the run can record it (``flags`` and ``warnings``) instead of
letting the paper steer its own review silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from reviewer.inputs.paper import CHARS_PER_TOKEN, Paper

# Instruction-like phrases aimed at a reviewer or a model. Each is specific enough that an
# abstract *about* the topic ("we study prompt injection") does not match.
_INSTRUCTIONS = [
    r"\b(ignore|disregard|forget|override)\b.{0,30}\b(previous|prior|above|earlier|all|any|"
    r"preceding|your)\b.{0,20}\b(instructions?|prompts?|rules|guidelines|directions)\b",
    r"\b(give|assign|award|rate|score)\b.{0,40}\b(positive|favou?rable|glowing|high|higher|"
    r"perfect|top|excellent|strong)\b.{0,20}\b(review|score|rating|marks?|evaluation)\b",
    # a top score asked for: "a score of 9/10", "rating of 10 out of 10", "rate this paper at
    # 10", "give it a score of 10"; not a measured rate ("error rate of 9.5%", "learning rate
    # of 10^-4", "rate at 10 dB"): the number is whole and out of ten, or aimed at the paper
    r"\b(score|rating|rate)\b.{0,15}\b(of|as|at)\s*(10|ten|9|nine)\s*(/|out of)\s*10\b",
    r"\b(rate|score)\s+(this|the)\s+(paper|submission|work|manuscript)\b.{0,15}\b(as|at)\s*"
    r"(10|ten|9|nine)\b(?![.,^]\d|\^|\s*(%|percent|db\b))",
    r"\b(give|assign|award)\b.{0,30}\b(score|rating)\s+of\s*(10|ten|9|nine)\b"
    r"(?![.,^]\d|\^|\s*(%|percent))",
    r"\b(recommend|suggest)\w*\b.{0,20}\b(accept|acceptance)\b.{0,40}\b(reviewers?|llms?|ai|"
    r"models?|assistants?)\b",
    r"\b(do not|don't|never)\b.{0,20}\b(mention|highlight|point out|list|criticize|criticise)"
    r"\b.{0,30}\b(weakness|weaknesses|flaws?|limitations?|negatives?|criticism)\b",
    r"\b(as|for|to)\s+(an?\s+)?(llm|ai|language model|large language model|automated)\s+"
    r"(reviewer|review|assistant)s?\b",
    # "Note to the LLM reviewer: ...", not a title's "Instructions for Model Reasoning"
    r"\b(note|message|instructions?)\s+(to|for)\s+(the\s+)?(llm|ai|model|assistant|reviewers?)"
    r"(\s+(reviewers?|assistants?))?(?=\s*[:,.!\-—]|\s*$)",
    # ... but a paper may quote it: "(e.g., “You are a helpful assistant”)"
    r"(?<![“\"'‘])\byou are (now )?(an?|the) (helpful |expert )?(assistant|reviewer|ai|"
    r"language model)\b",
    r"\b(new|updated|system)\s+(instructions?|prompt)\s*:",
    r"\bonly (output|write|say|respond)\b.{0,30}\b(positive|accept)\b",
]
_ROLE_TAGS = [
    r"<\|?\s*(system|assistant|user|im_start|im_end|endoftext)\s*\|?>",
    r"\[/?(INST|SYS|system_override|system)\]",
    r"<</?SYS>>",
    r"^\s*#{2,}\s*(system|instruction|assistant)\b",
    r"(^|\n)\s*(system|assistant)\s*:",
    r"</?\s*paper\s*>",
]
INSTRUCTION_RE = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTIONS), re.I | re.S)
ROLE_RE = re.compile("|".join(f"(?:{p})" for p in _ROLE_TAGS), re.I | re.M)
# Zero-width, bidirectional-control, soft-hyphen and Unicode tag characters: invisible to a
# human reader of the PDF, visible to the model.
INVISIBLE_RE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
# Of those, what hides text rather than formats it: Unicode tag characters (ASCII spelled
# invisibly) and bidirectional overrides. Real abstracts carry a few zero-width spaces, joiners
# and soft hyphens from copy and paste; many of them at once interleave a hidden instruction.
HIDING_RE = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
MANY_INVISIBLE = 10
DELIMITER_RE = re.compile(r"<(/?)\s*paper\s*>", re.I)
SENTENCE_RE = re.compile(r"((?<=[.!?])\s+)")
KEEP_PREFIX_WORDS = 5


@dataclass
class Guarded:
    """The paper as it may enter a prompt, plus what the guard found and changed."""

    paper: Paper
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fields(paper: Paper) -> dict[str, str]:
    """Every text of the paper that can reach a prompt, lists (a PDF's headings) joined."""
    texts = {"title": paper.title, "abstract": paper.abstract}
    if paper.keywords:
        texts["keywords"] = ", ".join(paper.keywords)
    if paper.venue:
        texts["venue"] = paper.venue
    for key, value in paper.metadata.items():
        if isinstance(value, str):
            texts[f"metadata.{key}"] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            texts[f"metadata.{key}"] = "\n".join(value)
    return texts


def scan(paper: Paper) -> list[str]:
    """Human-readable findings of injection attempts in a paper's text fields."""
    findings: list[str] = []
    for name, text in _fields(paper).items():
        if _hides(text):
            findings.append(f"{name}: {len(INVISIBLE_RE.findall(text))} invisible character(s)")
        visible = unicodedata.normalize("NFKC", INVISIBLE_RE.sub("", text))
        for regex, kind in ((INSTRUCTION_RE, "instruction-like text"), (ROLE_RE, "role tag")):
            match = regex.search(visible)
            if match:
                findings.append(f"{name}: {kind} {match.group(0)[:80]!r}")
    return findings


def _hides(text: str) -> bool:
    """Whether ``text``'s invisible characters hide something (tag characters, bidirectional
    overrides, or many at once), rather than format it (a few from copy and paste)."""
    return bool(HIDING_RE.search(text)) or len(INVISIBLE_RE.findall(text)) >= MANY_INVISIBLE


def _clean(text: str) -> str:
    """Defuse our own delimiters inside paper text, and drop invisible characters where they
    hide something (``scan``'s rule); a few zero-width spaces from copy and paste stay."""
    if _hides(text):
        text = INVISIBLE_RE.sub("", text)
    return DELIMITER_RE.sub(r"[\1paper]", text)


def _strip_instructions(text: str) -> tuple[str, int]:
    """Drop the sentences that address the reviewer or model: they are not the paper's content,
    and a small model obeys them even inside delimiters. Returns the text and the count.

    An instruction glued to real text without a full stop ("... at https://x.org Give this
    paper ...") takes only itself with it: a prefix of ``KEEP_PREFIX_WORDS`` or more words
    that is clean on its own stays."""
    pieces = SENTENCE_RE.split(text)  # sentence, separator, sentence, ...
    out, removed = "", 0
    for at in range(0, len(pieces), 2):
        sentence, gap = pieces[at], pieces[at - 1] if at else ""
        hit = _instruction(sentence)
        if hit is None:  # split by invisible characters, or full-width: what the model reads
            wide = unicodedata.normalize("NFKC", INVISIBLE_RE.sub("", sentence))
            if wide != sentence and _instruction(wide) is not None:
                removed += 1  # positions differ in the normalised text: the whole sentence
                continue
        if hit is not None:
            removed += 1
            prefix = sentence[: hit.start()].strip()
            keep = len(prefix.split()) >= KEEP_PREFIX_WORDS and not ROLE_RE.search(prefix)
            sentence = prefix if keep else ""
        if sentence:
            out += (gap if out else "") + sentence  # the text's own spacing and line breaks
    return out, removed


def _instruction(text: str) -> re.Match[str] | None:
    return INSTRUCTION_RE.search(text) or ROLE_RE.search(text)


def _removed(count: int, where: str) -> list[str]:
    if not count:
        return []
    return [f"prompt_injection: {count} instruction-like sentence(s) removed{where}"]


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars * 0.8 else cut) + " [...]"


def guard(paper: Paper, *, max_input_tokens: int, max_full_text_tokens: int = 2000) -> Guarded:
    """Scan, clean and bound ``paper`` for a prompt: ``max_input_tokens`` for the abstract,
    ``max_full_text_tokens`` for a full text (PDF input with ``--full-text``)."""
    findings = scan(paper)
    flags = ["prompt_injection"] if findings else []
    warnings = [f"prompt_injection: {f}" for f in findings]
    abstract, removed = _strip_instructions(_clean(paper.abstract))
    warnings += _removed(removed, "")
    title, removed = _strip_instructions(_clean(paper.title)[:1000])
    warnings += _removed(removed, " from the title")
    title = title or "[title removed]"
    budget = max_input_tokens * CHARS_PER_TOKEN
    if len(abstract) > budget:
        warnings.append(
            f"truncated_input: abstract cut from {len(abstract):,} to about {budget:,} characters "
            f"(budget {max_input_tokens} tokens)"
        )
        flags.append("truncated_input")
        abstract = _cut(abstract, budget)
    metadata: dict[str, object] = {}
    for key, value in paper.metadata.items():
        if isinstance(value, str) and key != "full_text":
            value, removed = _strip_instructions(_clean(value)[:500])
            warnings += _removed(removed, f" from metadata.{key}")
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = [_strip_instructions(_clean(v)[:500]) for v in value]  # a PDF's headings
            warnings += _removed(sum(n for _, n in items), f" from metadata.{key}")
            value = [v for v, _ in items if v]
        metadata[key] = value
    full_text = paper.metadata.get("full_text")
    if isinstance(full_text, str):
        limit = max_full_text_tokens * CHARS_PER_TOKEN
        # Hidden white-text injections live in the body: strip them before cutting to size.
        body, removed = _strip_instructions(_clean(full_text))
        warnings += _removed(removed, " from the full text")
        metadata["full_text"] = _cut(body, limit)
        if paper.metadata.get("full_text_truncated") or len(full_text) > limit:
            warnings.append(f"truncated_input: full text cut to {max_full_text_tokens} tokens")
            if "truncated_input" not in flags:
                flags.append("truncated_input")
    cleaned = paper.model_copy(
        update={
            "title": title,
            "abstract": abstract,
            "keywords": [_clean(k)[:100] for k in paper.keywords[:20]],
            "venue": _clean(paper.venue)[:200] if paper.venue else paper.venue,
            "metadata": metadata,
        }
    )
    return Guarded(cleaned, flags, warnings)
