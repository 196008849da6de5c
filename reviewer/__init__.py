"""reviewer: structured, validated, cached peer-review generation for research papers."""

from reviewer.aio import AsyncReviewer
from reviewer.api import Reviewer
from reviewer.calibration import CalibratedScore
from reviewer.errors import (
    ConfigError,
    EndpointError,
    FormError,
    InputError,
    ReviewerError,
    ReviewFailed,
)
from reviewer.generation.forms import Form, list_forms, load_form
from reviewer.generation.generate import Outcome
from reviewer.generation.options import GenerationOptions
from reviewer.inputs.paper import Paper, read_papers
from reviewer.library.stream import ReviewResult
from reviewer.review import Review
from reviewer.runs.batch import RunSummary

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
