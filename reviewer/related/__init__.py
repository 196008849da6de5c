"""Related work: the earlier papers a reviewer would name, found from a paper's title and
abstract.

- ``corpus``: the papers searched (a reference set or any papers file), reduced to id, title,
  abstract, year, venue and link: never reviews, decisions or author names;
- ``index``: the hybrid index (BM25 and MiniLM cosine), built once per corpus and cached by
  content;
- ``online``: OpenAlex, arXiv and Semantic Scholar behind one adapter each (polite pauses,
  backoff on 429, an on-disk cache);
- ``find``: what commands and the generator call, ``open_related(corpus, k)``;
- ``prompt``: the related papers as a fenced, guarded block of a prompt, and the form's extra
  novelty paragraph;
- ``pairs``: the ground truth, earlier papers that human reviews name by title.
"""
