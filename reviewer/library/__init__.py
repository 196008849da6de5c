"""The library's machinery behind its two faces (``reviewer.api.Reviewer`` and
``reviewer.aio.AsyncReviewer``): settings, operations, loops, streams, progress."""
