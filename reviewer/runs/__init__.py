"""Runs: a batch of papers into a run directory, and the OpenAI Batch round trip."""
