"""Words that name nothing about a particular paper: the vocabulary any review could use.

The non-comment rule (``reviewer.checks.textcheck``, frozen with ``NON_COMMENT_VERSION``) and
the name finder (``reviewer.checks.specifics``) use them to tell a paper's own terms from
words every review writes.
"""

_GENERIC_TEXT = """
    a about above across additional address addressed addresses after again against all also
    although an analysis analyze and any applicability applicable application applications
    applied apply approach approaches are area areas as aspect aspects assess assessment at
    author authors be been beneficial benefit better between beyond both broader but by can
    case cases challenge challenges claim claims clarify clarity clear clearly compare compared
    comparison comparisons complete comprehensive computational concern concerns contribution
    contributions could cost costs current data dataset datasets demonstrate demonstrated
    demonstrates depth describe described detail detailed details different direction
    directions discuss discussed discussion do does domain domains each effective
    effectiveness efficiency efficient enough especially evaluate evaluated evaluation
    evidence example examples existing experiment experimental experiments explain
    explanation explore explored extend extended extensive field findings focus for framework
    from further future general generalizability generalization generalize given good has
    have helpful how however if impact implementation implications important improve improved
    improvement improvements in include including information insight insights interesting
    investigate investigated investigation is issue issues it its itself justification
    justify lack lacks less limitation limitations limited made main make many may method
    methodology methods might more most much necessary need needed needs new not novel
    novelty of on other others outcome outcomes overall paper papers particular perform
    performance performs potential practical presentation presented promising proposed
    provide provided provides quality questions real real-world regarding relevant required
    research result results robust robustness scalability scalable scenario scenarios scope
    section setting settings should show shown significant significance similar so some
    specific state-of-the-art strength strengths strong studies study such suggest
    sufficient support table task tasks technique techniques than that the their them then
    there these they this those thorough through to topic under understand understanding
    unclear use used useful using valuable validate validation various very well were what
    when where whether which while who why will with within work works would written
    """
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
