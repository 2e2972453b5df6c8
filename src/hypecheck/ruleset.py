"""Load and validate rule packs: rules, shared term lists, notes and context cues.

A pack is a folder::

    ruleset.yml            name and version (optional in user packs)
    context.yml            cue words for negation, hedging, reported speech, disclaimers
    verdict.yml            the scorecard: dimensions, weights, tiers, advice
    terms/*.yml            shared term lists, referenced from rules as ``$name``
    notes/**/*.yml         regulatory and evidence notes, referenced by id
    <category>/*.yml       one rule per file; its id is ``<category>.<file stem>``

Files are read with ``yaml.safe_load`` semantics only and validated against the
JSON schemas in ``hypecheck/schemas``; every problem is a :class:`RuleFileError`
naming the file, the rule and the line.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .constants import CATEGORIES, JURISDICTIONS, SEVERITY_RANK  # noqa: F401  (re-exported)
from .errors import RuleFileError

try:  # libyaml is ~10x faster; both are safe loaders.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Loader = yaml.SafeLoader

DETECTORS = frozenset({"$count", "$percent", "$multiplier", "$quantity", "$number"})
DEFAULT_WITHIN = 8
PACK_FILES = frozenset({"ruleset.yml", "context.yml", "verdict.yml"})


@dataclass(frozen=True)
class Alternative:
    """One way a rule can match: a co-occurrence, a phrase list or a spaCy token pattern."""

    elements: tuple[tuple[str, ...], ...] = ()
    within: tuple[int, ...] = (DEFAULT_WITHIN,)  # the gap allowed before each later part
    order: bool = True
    unless: tuple[str, ...] = ()
    pattern: tuple[dict[str, Any], ...] = ()
    line: int = 0  # where this alternative starts in its file


@dataclass(frozen=True)
class Rule:
    """One rule file, validated: its id (``category.name``), message, ways to match and own examples."""

    id: str
    category: str
    severity: str
    confidence: float
    message: str
    suggestion: str
    notes: tuple[str, ...]
    alternatives: tuple[Alternative, ...]
    unless: tuple[str, ...]
    flag_examples: tuple[str, ...]
    pass_examples: tuple[str, ...]
    path: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        """The rule as ``rules list --format json`` and the web API list it."""
        return {
            "id": self.id,
            "category": self.category,
            "severity": self.severity,
            "confidence": self.confidence,
            "message": self.message,
            "suggestion": self.suggestion,
            "notes": list(self.notes),
            "file": self.path,
        }


@dataclass(frozen=True)
class TermList:
    """A named term list that rules refer to as ``$name``; ``inflect``: match its inflected forms too."""

    name: str
    terms: tuple[str, ...]
    inflect: bool
    path: str


@dataclass
class RuleSet:
    """Everything a pipeline needs, already validated and cross-checked."""

    rules: dict[str, Rule] = field(default_factory=dict)
    terms: dict[str, TermList] = field(default_factory=dict)
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    cues: dict[str, Any] = field(default_factory=dict)
    verdict: dict[str, Any] = field(default_factory=dict)
    name: str = "hypecheck"
    version: str = "0"

    def select(self, prefixes: Iterable[str] | None) -> RuleSet:
        """A copy keeping only rules whose id starts with one of ``prefixes``."""
        if not prefixes:
            return self
        keep = tuple(p.strip() for p in prefixes if p.strip())
        rules = {k: r for k, r in self.rules.items() if k.startswith(keep)}
        return RuleSet(rules, self.terms, self.notes, self.cues, self.verdict, self.name, self.version)


@cache
def _schema(name: str) -> Any:
    text = resources.files("hypecheck.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def _validate(data: Any, schema_name: str, path: Path, text: str, rule: str | None) -> None:
    import jsonschema  # imported lazily: only needed on the validation path

    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    problem = error.message
    json_path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)  # YAML reads on:, yes: as booleans
        json_path += extra[:1]
        problem = f"unknown key {', '.join(map(repr, extra))}; allowed keys: {', '.join(allowed)}"
    if "is not of type 'string'" in problem:
        problem += " (put it in quotes: YAML reads bare no, yes, on, off and numbers as other types)"
    raise RuleFileError(path, f"{where}: {problem}", rule=rule, line=_line_of(text, json_path))


def _line_of(text: str, json_path: Iterable[Any]) -> int | None:
    """1-based line of the YAML node at ``json_path`` (best effort, error path only)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = node.start_mark.line + 1 if node else None
    for key in json_path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if _same_key(k, key)), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _same_key(node: yaml.Node, key: Any) -> bool:
    if isinstance(key, str) or not isinstance(node, yaml.ScalarNode):
        return node.value == key
    try:  # a key YAML read as a boolean or number: "on", "yes", "1"
        return yaml.load(node.value, Loader=_Loader) == key
    except yaml.YAMLError:
        return False


def _stringify_dates(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    return value


MAX_YAML_BYTES = 2_000_000
# Aliases may add at most this many nodes beyond those written out ("billion laughs").
MAX_ALIAS_EXPANSION = 10_000


def read_yaml(path: Path) -> tuple[Any, str]:
    """Parse one file safely; malformed YAML becomes a RuleFileError with its line.

    Refused too: files over ``MAX_YAML_BYTES``, aliases that expand to more than
    ``MAX_ALIAS_EXPANSION`` extra nodes, and aliases that refer to themselves.
    """
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise RuleFileError(path, f"larger than {MAX_YAML_BYTES:,} bytes; split it up")
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(path, f"cannot read: {exc}") from exc
    found = re.search(r"^id:[ \t]*(\S+)", text, re.M)
    rule = found.group(1) if found else None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_aliases(node, path, rule)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise RuleFileError(
            path,
            f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
            rule=rule,
            line=mark.line + 1 if mark else None,
        ) from exc
    finally:
        loader.dispose()
    return _stringify_dates(data), text


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node, path: Path, rule: str | None) -> None:
    """Refuse a node graph whose aliases expand it past the bound, or loop back on themselves.

    One pass over the distinct nodes (the composer shares an aliased node rather
    than copying it): expanded sizes are summed bottom-up, so a billion laughs
    costs as much to measure as it has lines.
    """
    size: dict[int, int] = {}
    visiting: set[int] = set()
    seen: set[int] = set()
    shared: dict[int, yaml.Node] = {}  # nodes referred to more than once
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            visiting.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        visiting.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in visiting:
                raise RuleFileError(
                    path,
                    "an alias refers to the node that holds it (a loop)",
                    rule=rule,
                    line=child.start_mark.line + 1,
                )
            if id(child) in seen:
                shared[id(child)] = child
            seen.add(id(child))
            stack.append((child, False))
    extra = size[id(root)] - len(size)
    if extra > MAX_ALIAS_EXPANSION:
        worst = max(shared.values(), key=lambda n: size.get(id(n), 0), default=root)
        raise RuleFileError(
            path,
            f"aliases expand this file by {extra:,} nodes (the limit is {MAX_ALIAS_EXPANSION:,}); "
            "write the values out or use fewer aliases",
            rule=rule,
            line=worst.start_mark.line + 1,
        )


def _hidden(path: Path, root: Path) -> bool:
    """Under a hidden folder such as ``.github/`` (CI workflows are YAML too), or a hidden file."""
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _yaml_files(folder: Path) -> Iterator[Path]:
    yield from sorted(
        p for p in folder.rglob("*") if p.suffix in {".yml", ".yaml"} and not _hidden(p, folder) and p.is_file()
    )


def _as_tuple(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _elements(raw: list[Any] | None) -> tuple[tuple[str, ...], ...]:
    return tuple(_as_tuple(e) for e in raw or ())


def _flat(raw: list[Any] | None) -> tuple[str, ...]:
    return tuple(x for group in _elements(raw) for x in group)


_TRUNCATED = re.compile(r"^\s*-\s+[^\s\"'\[{#][^\n]*?\s#[^\s#]", re.M)


def _check_truncated_examples(text: str, path: Path, rule_id: str) -> None:
    """An unquoted ``- Voted the #1 serum`` is cut at the ``#`` by YAML; say so instead."""
    found = _TRUNCATED.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise RuleFileError(
            path,
            "this list item has ' #' in it, which YAML reads as the start of a comment; put the text in quotes",
            rule=rule_id,
            line=line,
        )


def parse_rule(data: Any, path: Path, text: str) -> Rule:
    """Validate one rule mapping and turn it into a :class:`Rule`."""
    _validate(data, "rule", path, text, data.get("id") if isinstance(data, dict) else None)
    rule_id: str = data["id"]  # the schema requires a string
    _check_id(rule_id, data["category"], path, text)
    _check_truncated_examples(text, path, rule_id)
    return Rule(
        id=rule_id,
        category=data["category"],
        severity=data["severity"],
        confidence=float(data.get("confidence", 0.85)),
        message=" ".join(data["message"].split()),
        suggestion=" ".join(data["suggestion"].split()),
        notes=tuple(data["notes"]),
        alternatives=tuple(_alternative(alt, n, rule_id, path, text) for n, alt in enumerate(data["match"])),
        unless=_flat(data.get("unless")),
        flag_examples=tuple(data["examples"]["flag"]),
        pass_examples=tuple(data["examples"]["pass"]),
        path=str(path),
        line=_line_of(text, []) or 1,
    )


def _check_id(rule_id: str, category: str, path: Path, text: str) -> None:
    """The id is ``<category>.<file name>``."""
    prefix, _, name = rule_id.partition(".")
    if prefix != category:
        raise RuleFileError(
            path,
            f"id prefix {prefix!r} differs from category {category!r}",
            rule=rule_id,
            line=_line_of(text, ["id"]),
        )
    if path.stem != name:
        raise RuleFileError(
            path,
            f"file name {path.name!r} must be the rule name {name + '.yml'!r}",
            rule=rule_id,
            line=_line_of(text, ["id"]),
        )


def _alternative(alt: dict[str, Any], n: int, rule_id: str, path: Path, text: str) -> Alternative:
    """The ``n``-th entry of a rule's ``match`` list, checked for patterns that match anywhere."""
    if "phrases" in alt:
        elements: tuple[tuple[str, ...], ...] = (tuple(alt["phrases"]),)
    else:
        elements = _elements(alt.get("all"))
    alt_line = _line_of(text, ["match", n]) or 1
    if alt.get("pattern") and (
        all(t.get("OP") in {"*", "?", "{0}", "{,1}"} for t in alt["pattern"])
        or all(set(t) <= {"OP"} for t in alt["pattern"])
    ):
        raise RuleFileError(
            path,
            "this token pattern matches anywhere (every token is optional or unconstrained); "
            "give at least one token a condition and no OP '*' or '?'",
            rule=rule_id,
            line=alt_line,
        )
    within = alt.get("within", DEFAULT_WITHIN)
    gaps = max(len(elements) - 1, 1)
    if isinstance(within, list) and (len(within) != gaps or not alt.get("order", True)):
        raise RuleFileError(
            path,
            f"within: a list needs one gap per pair of parts ({gaps}) and order: true",
            rule=rule_id,
            line=_line_of(text, ["match"]),
        )
    return Alternative(
        elements=elements,
        within=tuple(within) if isinstance(within, list) else (within,) * gaps,
        order=alt.get("order", True),
        unless=_flat(alt.get("unless")),
        pattern=tuple(alt.get("pattern", ())),
        line=alt_line,
    )


def _load_pack(folder: Path, into: RuleSet, *, with_rules: bool = True) -> None:
    if folder.is_file():
        data, text = read_yaml(folder)
        _add_rule(into, parse_rule(data, folder, text))
        return
    if not folder.is_dir():
        raise RuleFileError(folder, "no such rule file or folder")
    meta = folder / "ruleset.yml"
    if meta.is_file():
        data, _ = read_yaml(meta)
        into.name = str(data.get("name", into.name))
        into.version = str(data.get("version", into.version))
    context = folder / "context.yml"
    if context.is_file():
        data, text = read_yaml(context)
        _validate(data, "context", context, text, None)
        into.cues = data
    verdict = folder / "verdict.yml"
    if verdict.is_file():
        data, text = read_yaml(verdict)
        _validate(data, "verdict", verdict, text, None)
        into.verdict = data
    for path in _yaml_files(folder / "terms") if (folder / "terms").is_dir() else ():
        data, text = read_yaml(path)
        _validate(data, "terms", path, text, None)
        into.terms[data["name"]] = TermList(data["name"], tuple(data["terms"]), data.get("inflect", True), str(path))
    for path in _yaml_files(folder / "notes") if (folder / "notes").is_dir() else ():
        data, text = read_yaml(path)
        _validate(data, "note", path, text, data.get("id") if isinstance(data, dict) else None)
        if data["id"] in into.notes:
            raise RuleFileError(path, f"duplicate note id {data['id']!r}", line=_line_of(text, ["id"]))
        into.notes[data["id"]] = data
    for path in sorted(folder.iterdir()):
        if path.suffix in {".yml", ".yaml"} and path.name not in PACK_FILES and not path.name.startswith("."):
            raise RuleFileError(
                path,
                f"a rule file belongs in a folder named after its category ({', '.join(CATEGORIES)}), "
                "not at the top of the pack",
                line=1,
            )
    subfolders = sorted(
        p for p in folder.iterdir() if p.is_dir() and p.name not in {"terms", "notes"} and not p.name.startswith(".")
    )
    for sub in subfolders if with_rules else ():
        for path in _yaml_files(sub):
            data, text = read_yaml(path)
            _add_rule(into, parse_rule(data, path, text))


def _add_rule(into: RuleSet, rule: Rule) -> None:
    if rule.id in into.rules:
        other = into.rules[rule.id].path
        raise RuleFileError(rule.path, f"duplicate rule id (also in {other})", rule=rule.id, line=rule.line)
    into.rules[rule.id] = rule


def _check_references(rs: RuleSet) -> None:
    for rule in rs.rules.values():
        refs = [x for alt in rule.alternatives for group in alt.elements for x in group]
        refs += list(rule.unless) + [x for alt in rule.alternatives for x in alt.unless]
        for ref in refs:
            if ref.startswith("$") and ref[1:] not in rs.terms and ref not in DETECTORS:
                known = ", ".join(sorted([f"${t}" for t in rs.terms] + list(DETECTORS)))
                raise RuleFileError(
                    rule.path, f"unknown term list {ref!r}; known: {known}", rule=rule.id, line=rule.line
                )
        for note in rule.notes:
            if note not in rs.notes:
                raise RuleFileError(rule.path, f"unknown note {note!r}", rule=rule.id, line=rule.line)
    for terms in rs.terms.values():
        for term in terms.terms:
            if term.startswith("$") and term[1:] not in rs.terms:
                raise RuleFileError(terms.path, f"term list {terms.name}: unknown term list {term!r}")


def load_ruleset(packs: Iterable[str | Path] = (), *, builtin: bool = True) -> RuleSet:
    """Load the built-in pack and then each user pack in order.

    ``builtin=False`` leaves the built-in *rules* out; their term lists, notes and
    context cues stay available, so a user's pack can reference them.
    """
    from ._paths import rules_dir

    rs = RuleSet()
    _load_pack(rules_dir(), rs, with_rules=builtin)
    for folder in packs:
        _load_pack(Path(folder), rs)
    _check_references(rs)
    return rs
