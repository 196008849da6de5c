"""``python -m reviewer.eval``: the eval command without the main CLI."""

from reviewer.eval.cli import eval_command

if __name__ == "__main__":
    eval_command(prog_name="python -m reviewer.eval")
