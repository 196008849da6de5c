"""Prompt tokens per review for each form: instructions, schema and paper, as the model sees them.

    python benchmarks/prompt_tokens.py

Counts with the embedded model's own tokenizer (Qwen2.5: the embedded server's ``/tokenize``)
over examples/papers.jsonl, abstract only, in the two ways a prompt is sent:
grammar-constrained (the schema goes to the server, not into the prompt) and plain prompting
(the schema is written into the system prompt). Writes benchmarks/results/prompt-tokens.md.
"""

from __future__ import annotations

import json
import statistics
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from reviewer import Paper, list_forms, load_form, read_papers  # noqa: E402
from reviewer.checks.guard import guard  # noqa: E402
from reviewer.local.server import LocalServer  # noqa: E402
from reviewer.local.weights import model_alias, resolve_model  # noqa: E402

CHAT_OVERHEAD = 3  # <|im_start|>role\n ... <|im_end|>\n per message, beyond the text


def tokens(root: str, text: str) -> int:
    """How many tokens the served model's tokenizer makes of ``text`` (no special tokens)."""
    request = urllib.request.Request(
        f"{root}/tokenize",
        data=json.dumps({"content": text, "add_special": False}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return len(json.load(response)["tokens"])


def main() -> None:
    path = resolve_model("1.5b")
    with LocalServer(path, alias=model_alias("1.5b", path)) as server:
        count_rows(server.base_url.removesuffix("/v1"))


def count_rows(root: str) -> None:
    papers = [p for p in read_papers(ROOT / "examples" / "papers.jsonl") if isinstance(p, Paper)]
    rows = []
    for name in list_forms():
        form = load_form(name)
        for with_schema in (False, True):
            counts = []
            for paper in papers:
                safe = guard(paper, max_input_tokens=form.max_input_tokens).paper
                messages = form.render(safe, include_schema=with_schema)
                counts.append(sum(tokens(root, m["content"]) + CHAT_OVERHEAD for m in messages))
            mode = (
                "plain prompting (schema in prompt)"
                if with_schema
                else "grammar (schema to server)"
            )
            rows.append(f"| {name} | {mode} | {statistics.median(counts):.0f} | {max(counts)} |")
    m = describe()
    table = "\n".join(rows)
    text = (
        "# Prompt tokens per review (abstract only)\n\n"
        f"Tokenizer: Qwen2.5 (the embedded model's), over {len(papers)} papers of "
        f"examples/papers.jsonl. Commit {m['commit']}, {m['date']}.\n\n"
        f"Command: `{m['command']}`\n\n"
        "| form | how the output format is asked for | median | max |\n|---|---|---|---|\n"
        f"{table}\n"
    )
    out = ROOT / "benchmarks" / "results" / "prompt-tokens.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
