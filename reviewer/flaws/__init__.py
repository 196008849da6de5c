"""Planted flaws: does a review catch a concrete problem in a paper?

Each paper gets a clean twin and flawed twins, each with one flaw from a frozen, versioned
catalogue (``catalogue``), written from the paper's own entities (``entities``) and inserted
at a sensible place, seeded (``make``). A review catches a flaw when one of its comments points
at it (``match``, a frozen matcher with its own version); ``score`` turns that into recall per
flaw kind and false alarms on the clean twins, with bootstrap intervals. ``cli`` is
``reviewer flaws``. No module here needs the ``[eval]`` extra except ``match``/``score``, which
load the embedding model and the bootstrap on first use.
"""
