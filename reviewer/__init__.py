"""reviewer: structured, validated, cached peer-review generation for research papers."""

from reviewer.aio import AsyncReviewer
from reviewer.api import Reviewer
from reviewer.batch import RunSummary
from reviewer.calibration import CalibratedScore
from reviewer.errors import (
    ConfigError,
    EndpointError,
    FormError,
    InputError,
    ReviewerError,
    ReviewFailed,
)
from reviewer.forms import Form, list_forms, load_form
from reviewer.generate import Outcome
from reviewer.options import GenerationOptions
from reviewer.paper import Paper, read_papers
from reviewer.review import Review
from reviewer.stream import ReviewResult

__all__ = [
    "AsyncReviewer",
    "CalibratedScore",
    "ConfigError",
    "EndpointError",
    "Form",
    "FormError",
    "GenerationOptions",
    "InputError",
    "Outcome",
    "Paper",
    "Review",
    "ReviewFailed",
    "ReviewResult",
    "Reviewer",
    "ReviewerError",
    "RunSummary",
    "list_forms",
    "load_form",
    "read_papers",
]
