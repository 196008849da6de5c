"""The prompt stage: a review form is a folder of templates plus a Pydantic schema.

``prompts/<form>/`` holds ``form.toml`` (description and limits), ``system.j2`` and
``user.j2`` (rendered with ``StrictUndefined`` so a missing variable fails loudly instead of
sending a silently broken prompt), ``schema.py`` (a ``Review`` subclass exported as
``SCHEMA``) and ``review.md.j2`` (the readable rendering). Adding a folder adds a form; no
package code changes. Extra folders are searched via ``REVIEWER_FORMS_PATH``.

A form may declare profiles (``[profiles.NAME]`` in form.toml): the depth one kind of model is
asked for. A profile overrides the form's limits, may name its own templates and raise list
maxima (``max_items``); its other keys reach the templates as ``profile``. A profile that
overrides nothing renders, hashes and validates exactly like the form itself, so ``compact``
(the embedded model's) keeps the prompts, cache keys and calibration of the form before profiles.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jinja2
from pydantic import Field, create_model

from reviewer.cache import stable_hash
from reviewer.checks.notes import edited, unverified
from reviewer.errors import FormError
from reviewer.inputs.paper import Paper
from reviewer.resources import builtin
from reviewer.review import Review

BUILTIN_FORMS = builtin("prompts")  # in the wheel, else the checkout's prompts/
SHARED = BUILTIN_FORMS / "_shared"  # templates every form may use (meta-review, reflection)
REQUIRED_FILES = ("form.toml", "system.j2", "user.j2", "schema.py", "review.md.j2")
Messages = list[dict[str, str]]
LIMIT_KEYS = ("max_tokens", "temperature", "max_input_tokens", "max_full_text_tokens")
KNOWN_KEYS = {"description", "profiles", *LIMIT_KEYS}
DEFAULT_PROFILE = "default"  # the name of a form's own settings when it declares no profiles


@dataclass(frozen=True)
class Form:
    """A loaded review form: templates, schema and the limits that bound its cost."""

    name: str
    directory: Path
    description: str
    schema: type[Review]
    max_tokens: int
    temperature: float
    max_input_tokens: int = 1500
    max_full_text_tokens: int = 2000
    options: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile: str = DEFAULT_PROFILE
    overrides: dict[str, Any] = field(default_factory=dict)  # the profile's table as declared
    system_template: str = "system.j2"
    user_template: str = "user.j2"
    # context assumed for an endpoint whose window is unknown, when sizing a full text
    default_context_window: int | None = None

    @cached_property
    def json_schema(self) -> dict[str, Any]:
        return self.schema.model_json_schema()

    @cached_property
    def schema_hash(self) -> str:
        return stable_hash(self.json_schema)

    @cached_property
    def template_hash(self) -> str:
        """The templates' bytes, and the profile's settings when it has any (so a profile is
        part of every cache key, while a profile that overrides nothing hashes as the form)."""
        digest = hashlib.sha256()
        for name in (self.system_template, self.user_template):
            digest.update((self.directory / name).read_bytes())
        if self.overrides:
            digest.update(stable_hash(self.overrides).encode())
        return digest.hexdigest()

    @property
    def variables(self) -> dict[str, Any]:
        """What templates see as ``profile``: its name, the limits in force and its own keys."""
        limits = {k: getattr(self, k) for k in LIMIT_KEYS}
        return {**limits, **self.overrides, "name": self.profile}

    def with_profile(self, name: str, *, explicit: bool = True) -> Form:
        """This form under profile ``name``. An automatic choice (``explicit=False``) the form
        does not declare falls back to the form's own settings; an explicit one must exist."""
        if name not in self.profiles:
            if explicit:
                known = ", ".join(sorted(self.profiles)) or "none"
                raise FormError(
                    f"form {self.name!r} has no profile {name!r} (its profiles: {known})"
                )
            return self
        table = self.profiles[name]
        limits = {k: type(getattr(self, k))(table[k]) for k in LIMIT_KEYS if k in table}
        schema = _with_max_items(self.schema, table.get("max_items") or {}, self.name)
        window = table.get("default_context_window")
        return replace(
            self,
            schema=schema,
            profile=name,
            overrides=table,
            system_template=str(table.get("system", self.system_template)),
            user_template=str(table.get("user", self.user_template)),
            default_context_window=int(window) if window else None,
            **limits,
        )

    def _env(self) -> jinja2.Environment:
        return _environment(self.directory)

    def render(self, paper: Paper, *, include_schema: bool = False) -> Messages:
        """System + user messages for ``paper``; the system part is identical across papers."""
        try:
            user = (
                self._env()
                .get_template(self.user_template)
                .render(paper=paper, profile=self.variables)
            )
        except jinja2.TemplateError as exc:
            raise FormError(f"form {self.name!r}: template error: {exc}") from exc
        return [
            {"role": "system", "content": self.system_prompt(include_schema)},
            {"role": "user", "content": user.strip()},
        ]

    def system_prompt(self, include_schema: bool) -> str:
        """The system message: the same for every paper; with the schema for plain prompting."""
        return self._system_prompts[include_schema]

    @cached_property
    def _system_prompts(self) -> dict[bool, str]:
        schema_text = json.dumps(self.json_schema, separators=(",", ":"))
        try:
            template = self._env().get_template(self.system_template)
            return {
                False: template.render(output_schema="", profile=self.variables).strip(),
                True: template.render(output_schema=schema_text, profile=self.variables).strip(),
            }
        except jinja2.TemplateError as exc:
            raise FormError(f"form {self.name!r}: template error: {exc}") from exc

    def shared_template(self, name: str) -> jinja2.Template:
        """A template of the form's own folder, else of ``prompts/_shared`` (meta, reflect)."""
        try:
            return self._env().get_template(name)
        except jinja2.TemplateError as exc:
            raise FormError(f"form {self.name!r}: template {name}: {exc}") from exc

    def to_markdown(self, paper: Paper, review: Review, record: dict[str, Any]) -> str:
        """The human-readable rendering written beside the JSONL (``unverified``: what the
        grounding checks found and had to leave in; ``edited``: what the checks changed; for
        the template to show)."""
        template = self._env().get_template("review.md.j2")
        warnings = record.get("warnings") or []
        return template.render(
            paper=paper,
            review=review.model_dump(),
            record=record,
            unverified=unverified(warnings),
            edited=edited(warnings),
        ).strip()


@cache
def _environment(directory: Path) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(directory)), jinja2.FileSystemLoader(str(SHARED))]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


def search_path() -> list[Path]:
    extra = os.environ.get("REVIEWER_FORMS_PATH", "")
    return [Path(p).expanduser() for p in extra.split(os.pathsep) if p] + [BUILTIN_FORMS]


def list_forms() -> dict[str, Path]:
    """Form name -> folder, earlier search-path entries shadowing later ones."""
    found: dict[str, Path] = {}
    for root in search_path():
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / "schema.py").is_file() and folder.name not in found:
                found[folder.name] = folder
    return found


def _load_schema(folder: Path) -> type[Review]:
    spec = importlib.util.spec_from_file_location(
        f"reviewer_form_{folder.name}", folder / "schema.py"
    )
    if spec is None or spec.loader is None:
        raise FormError(f"form {folder.name!r}: cannot load schema.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's schema file may fail in any way; report it as a form error
        raise FormError(f"form {folder.name!r}: schema.py failed to import: {exc}") from exc
    schema = getattr(module, "SCHEMA", None)
    if not (isinstance(schema, type) and issubclass(schema, Review)):
        raise FormError(f"form {folder.name!r}: schema.py must set SCHEMA to a Review subclass")
    missing = {"overall", "decision"} - set(schema.model_fields)
    if missing:
        raise FormError(f"form {folder.name!r}: schema lacks required fields {sorted(missing)}")
    return schema


def _with_max_items(schema: type[Review], limits: dict[str, Any], form: str) -> type[Review]:
    """``schema`` with higher (or lower) list maxima, for a profile asking for more comments."""
    if not limits:
        return schema
    fields: dict[str, Any] = {}
    for key, maximum in limits.items():
        info = schema.model_fields.get(key)
        if info is None:
            raise FormError(f"form {form!r}: max_items names {key!r}, not a field of the schema")
        minimum = next((m.min_length for m in info.metadata if hasattr(m, "min_length")), 0)
        fields[key] = (info.annotation, Field(min_length=minimum, max_length=int(maximum)))
    return create_model(schema.__name__, __base__=schema, **fields)


@cache
def load_form(name: str, profile: str | None = None, *, explicit: bool = True) -> Form:
    """Load a form by name from the search path, under ``profile`` when given (see
    ``Form.with_profile``); cached: forms are read once per process."""
    if profile is not None:
        return load_form(name).with_profile(profile, explicit=explicit)
    forms = list_forms()
    if name not in forms:
        known = ", ".join(sorted(forms)) or "none"
        raise FormError(f"unknown form {name!r} (known forms: {known})")
    folder = forms[name]
    absent = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if absent:
        raise FormError(f"form {name!r} in {folder} is missing {', '.join(absent)}")
    try:
        meta = tomllib.loads((folder / "form.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"form {name!r}: form.toml: {exc}") from exc
    return Form(
        name=name,
        directory=folder,
        description=str(meta.get("description", "")),
        schema=_load_schema(folder),
        max_tokens=int(meta.get("max_tokens", 1024)),
        temperature=float(meta.get("temperature", 0.2)),
        max_input_tokens=int(meta.get("max_input_tokens", 1500)),
        max_full_text_tokens=int(meta.get("max_full_text_tokens", 2000)),
        options={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
        profiles=_profiles(name, meta.get("profiles", {})),
    )


def _profiles(form: str, declared: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(declared, dict) or not all(isinstance(t, dict) for t in declared.values()):
        raise FormError(f"form {form!r}: form.toml: [profiles.NAME] must be tables")
    return declared
