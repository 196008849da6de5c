"""reviewer: structured, validated, cached peer-review generation for research papers."""

from reviewer.api import Reviewer
from reviewer.batch import RunSummary
from reviewer.errors import (
    ConfigError,
    EndpointError,
    FormError,
    InputError,
    ReviewerError,
    ReviewFailed,
)
from reviewer.forms import Form, list_forms, load_form
from reviewer.paper import Paper, read_papers
from reviewer.review import Review

__all__ = [
    "ConfigError",
    "EndpointError",
    "Form",
    "FormError",
    "InputError",
    "Paper",
    "Review",
    "ReviewFailed",
    "Reviewer",
    "ReviewerError",
    "RunSummary",
    "list_forms",
    "load_form",
    "read_papers",
]
