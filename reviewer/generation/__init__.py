"""Generation: a paper's prompt, its completion (cached, retried) and the validated review."""
