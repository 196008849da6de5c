"""The ``reviewer`` command line, one module per command group.

- ``app``: the ``reviewer`` group itself; registers every command (``main``);
- ``options``: the options every command that generates reviews shares (also used by
  ``reviewer eval --generate`` and ``reviewer flaws run``), and the one-line error handling;
- ``batch``, ``review``: generate reviews; ``serve``: keep the embedded model running;
- ``forms``, ``cache``, ``data``, ``report``: list forms, manage the cache, fetch reference
  data, write a run's page.

The eval and planted-flaw commands live here too (``eval``, ``flaws``), so ``reviewer.eval``
and ``reviewer.flaws`` are plain libraries that never import the command line. The script
``reviewer`` (and ``python -m reviewer``) is ``reviewer.cli.app:main``.
"""
