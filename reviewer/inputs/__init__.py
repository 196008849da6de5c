"""Inputs: a paper, and the readers that make papers from files, ids and PDFs."""
