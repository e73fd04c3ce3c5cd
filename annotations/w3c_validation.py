"""Check parsed JSON against the MUSTs of the W3C Web Annotation Data Model.

Pure Python, no Django and no schema files: the production server validates
annotations it imports or exports without the W3C test suite being present.
The rules mirror the suite's `annotations/annotationMusts.test` assertions
(https://github.com/w3c/web-annotation-tests), written out by hand so that
each problem can name the offending key and say what is wrong with it, which
a bare JSON Schema failure ("is not valid under any of the given schemas")
cannot.

Where the suite and the Recommendation (https://www.w3.org/TR/annotation-model/)
differ, the choices are:

* Dates must carry a timezone. The model says xsd:dateTime "SHOULD have a
  timezone"; the suite checks JSON Schema's RFC 3339 ``date-time``, which
  requires one. A date without a zone has no single meaning once it leaves the
  machine that wrote it, so we accept only the intersection of the two
  formats, e.g. ``2015-01-28T12:00:00Z``.
* ``id`` must be a string. The suite also accepts a one-item list, but ``id``
  is JSON-LD's ``@id``, which is never a list.
* Composite, List and Independents (the model's drafts, the anno.jsonld
  context and the suite's own correct samples use them) are accepted beside
  Choice; the suite's schemas only know Choice.
* Accidents of the suite's schemas are not copied: it rejects a one-item
  list of IRIs as body or target (two branches of a oneOf match), an empty
  body list, and a TimeState with several ``cached`` copies (the model allows
  0 or more). tests/annotations pins each of these.
* Checks the suite lacks, where the model's meaning is plain: a
  TextPositionSelector/DataPositionSelector's ``end`` is not before its
  ``start``, selector keys only on a SpecificResource, bare-word motivations and
  purposes only from the model's list (IRIs and prefixed names for others).

Where the suite takes a one-item list for a single-valued property
(``created``, ``modified``, ``generated``, ``canonical``, ``textDirection``,
``processingLanguage``, ``bodyValue``), so do we: JSON-LD reads both as one
value. Where it wants a plain string (``value``, ``exact``, ``prefix``,
``suffix``, a selector's ``type``), so do we.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

MOTIVATIONS = frozenset(
    {
        "assessing",
        "bookmarking",
        "classifying",
        "commenting",
        "describing",
        "editing",
        "highlighting",
        "identifying",
        "linking",
        "moderating",
        "questioning",
        "replying",
        "tagging",
    }
)
TEXT_DIRECTIONS = ("ltr", "rtl", "auto")
CHOICE_TYPES = ("Choice", "Composite", "List", "Independents")
SELECTOR_TYPES = (
    "FragmentSelector",
    "CssSelector",
    "XPathSelector",
    "TextQuoteSelector",
    "TextPositionSelector",
    "DataPositionSelector",
    "SvgSelector",
    "RangeSelector",
)
STATE_TYPES = ("TimeState", "HttpRequestState")
SPECIFIC_RESOURCE_KEYS = ("selector", "state", "styleClass", "renderedVia", "scope")

# An absolute IRI: a scheme, a colon, then no whitespace, no characters RFC 3987
# excludes, and only well-formed percent escapes. Prefixed names such as
# "oa:tagging" also match, as they should: JSON-LD expands them to IRIs.
_IRI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# xsd:dateTime and RFC 3339 both accept this shape; the zone is required.
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:Z|[+-](\d{2}):(\d{2}))"
)
_MAX_DEPTH = 32


@dataclass(frozen=True)
class Problem:
    """One way a value breaks the model: where, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"


def annotation_problems(value: object) -> list[Problem]:
    """Every MUST of the model that `value` breaks, as an Annotation; [] if none.

    `value` is parsed JSON. An annotation embedded in a collection inherits the
    collection's @context; validate those through `collection_items` (or
    `document_problems`), which hands the context down.
    """
    checker = _Checker()
    checker.annotation(value, "")
    return checker.problems


def collection_items(value: object) -> list[object] | None:
    """The annotations held by a collection, a page or a plain JSON list.

    Returns None when `value` is none of those. An AnnotationCollection whose
    first page is only referenced by IRI holds no annotations here, so it gives
    []. Items that lack their own @context come back as shallow copies carrying
    the container's, because JSON-LD applies the enclosing context to embedded
    objects; without it every embedded annotation would look context-less.
    """
    found = _container_items(value)
    if found is None:
        return None
    return [item for _, item in found]


def document_problems(value: object) -> list[Problem]:
    """Problems in a whole document: one annotation, or a container of them.

    Containers are checked for the anno.jsonld @context (which their items
    inherit) and each item as an annotation, with paths such as
    "first.items[3].target".
    """
    found = _container_items(value)
    if found is None:
        return annotation_problems(value)
    problems: list[Problem] = []
    if isinstance(value, dict):
        checker = _Checker()
        checker.context(value, "")
        problems.extend(checker.problems)
    for path, item in found:
        checker = _Checker()
        checker.annotation(item, path)
        problems.extend(checker.problems)
    return problems


def json_problems(text: str | bytes) -> list[Problem]:
    """`document_problems` of JSON text, reporting text that is not JSON.

    Strict JSON only: no trailing commas, NaN or Infinity, since other
    consumers of the annotation will reject them.
    """
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, json.JSONDecodeError):
            where = f"line {error.lineno} column {error.colno}"
            return [Problem("", f"not valid JSON: {error.msg} at {where}")]
        return [Problem("", f"not valid JSON: {error}")]
    return document_problems(value)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _container_items(value: object) -> list[tuple[str, object]] | None:
    """(path, annotation) pairs of a container, or None if not a container."""
    if isinstance(value, list):
        return [(f"[{index}]", item) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        return None
    types = _strings(value.get("type"))
    if "AnnotationCollection" in types:
        first = value.get("first")
        if not isinstance(first, dict):
            return []
        items, prefix = first.get("items"), "first.items"
    elif "AnnotationPage" in types:
        items, prefix = value.get("items"), "items"
    else:
        return None
    if not isinstance(items, list):
        return []
    context = value.get("@context")
    found: list[tuple[str, object]] = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and "@context" not in item and context is not None:
            item = {"@context": context, **item}
        found.append((f"{prefix}[{index}]", item))
    return found


def is_iri(value: object) -> bool:
    """True for a string that is an absolute IRI (or a prefixed name)."""
    return (
        isinstance(value, str)
        and _IRI_RE.fullmatch(value) is not None
        and _BAD_PERCENT_RE.search(value) is None
    )


def is_datetime(value: object) -> bool:
    """True for an xsd:dateTime with a timezone, e.g. 2015-01-28T12:00:00Z."""
    if not isinstance(value, str):
        return False
    match = _DATETIME_RE.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    zone_hour, zone_minute = match.group(7), match.group(8)
    if zone_hour is None:
        return True
    hours, minutes = int(zone_hour), int(zone_minute)
    return minutes < 60 and (hours < 14 or (hours == 14 and minutes == 0))


def _strings(value: object) -> list[str]:
    """The string members of a one-or-many value (used to read `type`)."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    """A short phrase naming a bad value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "an object"


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class _Checker:
    """Walks one annotation, collecting problems rather than stopping at one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.style_class_path: str | None = None

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- value shapes -------------------------------------------------------

    def many(self, node: dict, key: str, path: str) -> Iterator[tuple[str, object]]:
        """Each value of a one-or-more property, with its path."""
        value = node[key]
        where = _join(path, key)
        if isinstance(value, list):
            if not value:
                self.add(where, f"'{key}' must not be an empty list")
            for index, item in enumerate(value):
                yield f"{where}[{index}]", item
        else:
            yield where, value

    def single(self, node: dict, key: str, path: str) -> tuple[str, object] | None:
        """The value of a property allowed at most once, or None if repeated."""
        value = node[key]
        where = _join(path, key)
        if isinstance(value, list):
            if len(value) != 1:
                self.add(
                    where, f"'{key}' must have exactly one value, not {len(value)}"
                )
                return None
            return where, value[0]
        return where, value

    def iris(self, node: dict, key: str, path: str, *, one: bool = False) -> None:
        """An optional property of IRIs: one or more, or (`one`) at most one."""
        if key not in node:
            return
        pairs = [self.single(node, key, path)] if one else self.many(node, key, path)
        for pair in pairs:
            if pair is not None and not is_iri(pair[1]):
                self.add(pair[0], f"'{key}' must be an IRI, not {_describe(pair[1])}")

    def texts(self, node: dict, key: str, path: str, *, one: bool = False) -> None:
        """An optional property of strings: one or more, or (`one`) at most one."""
        if key not in node:
            return
        pairs = [self.single(node, key, path)] if one else self.many(node, key, path)
        for pair in pairs:
            if pair is not None and not isinstance(pair[1], str):
                self.add(pair[0], f"'{key}' must be a string, not {_describe(pair[1])}")

    def plain_iri(self, node: dict, key: str, path: str) -> None:
        """An optional property holding exactly one IRI string (no list)."""
        if key in node and not is_iri(node[key]):
            single = "a single IRI" if isinstance(node[key], list) else "an IRI"
            self.add(
                _join(path, key),
                f"'{key}' must be {single}, not {_describe(node[key])}",
            )

    def plain_text(self, node: dict, key: str, path: str) -> None:
        """An optional property holding exactly one string (no list)."""
        if key in node and not isinstance(node[key], str):
            single = "a single string" if isinstance(node[key], list) else "a string"
            self.add(
                _join(path, key),
                f"'{key}' must be {single}, not {_describe(node[key])}",
            )

    def text(self, node: dict, key: str, path: str, what: str) -> None:
        """A required property whose value is exactly one string."""
        where = _join(path, key)
        if key not in node:
            self.add(where, f"'{key}' is missing; {what} must have one")
        elif isinstance(node[key], list):
            self.add(
                where, f"'{key}' must be a single string, not {_describe(node[key])}"
            )
        elif not isinstance(node[key], str):
            self.add(where, f"'{key}' must be a string, not {_describe(node[key])}")

    def datetimes(self, node: dict, key: str, path: str, *, one: bool = True) -> None:
        """An optional date property: at most one value unless `one` is False."""
        if key not in node:
            return
        pairs = [self.single(node, key, path)] if one else self.many(node, key, path)
        for pair in pairs:
            if pair is not None and not is_datetime(pair[1]):
                self.add(
                    pair[0],
                    f"'{key}' must be an xsd:dateTime with a timezone, such as "
                    f"2015-01-28T12:00:00Z, not {_describe(pair[1])}",
                )

    def types(self, node: dict, path: str) -> list[str]:
        """The `type` values of an object, reporting any that are not strings."""
        if "type" not in node:
            return []
        found: list[str] = []
        for where, value in self.many(node, "type", path):
            if isinstance(value, str):
                found.append(value)
            else:
                self.add(where, f"'type' must be a string, not {_describe(value)}")
        return found

    def motivations(self, node: dict, key: str, path: str) -> None:
        """motivation/purpose: listed W3C motivations, or IRIs of other ones."""
        if key not in node:
            return
        for where, value in self.many(node, key, path):
            if not isinstance(value, str):
                self.add(where, f"'{key}' must be a string, not {_describe(value)}")
            elif ":" in value:
                if not is_iri(value):
                    self.add(where, f"'{key}' {_describe(value)} is not a valid IRI")
            elif value not in MOTIVATIONS:
                self.add(
                    where,
                    f"'{key}' {_describe(value)} is not a W3C motivation (one of "
                    f"{', '.join(sorted(MOTIVATIONS))}); use an IRI for others",
                )

    # -- the annotation -----------------------------------------------------

    def context(self, node: dict, path: str) -> None:
        """@context must name anno.jsonld; other contexts may sit beside it."""
        where = _join(path, "@context")
        if "@context" not in node:
            self.add(
                where, f"'@context' is missing; it must include {ANNOTATION_CONTEXT}"
            )
            return
        context = node["@context"]
        values = context if isinstance(context, list) else [context]
        if ANNOTATION_CONTEXT not in values:
            self.add(where, f"'@context' must be or include {ANNOTATION_CONTEXT}")

    def annotation(self, node: object, path: str) -> None:
        """The Annotation's own keys, then its targets and bodies in depth."""
        if not isinstance(node, dict):
            self.add(
                path, f"an annotation must be a JSON object, not {_describe(node)}"
            )
            return
        self.context(node, path)

        if "id" not in node:
            self.add(
                _join(path, "id"),
                "'id' is missing; an annotation must have exactly one IRI",
            )
        self.plain_iri(node, "id", path)

        where = _join(path, "type")
        if "type" not in node:
            self.add(where, "'type' is missing; it must be or include \"Annotation\"")
        elif "Annotation" not in self.types(node, path):
            self.add(where, "'type' must be or include \"Annotation\"")

        where = _join(path, "target")
        if "target" not in node:
            self.add(where, "'target' is missing; an annotation must have a target")
        else:
            self.resources(node, "target", path)

        if "body" in node and "bodyValue" in node:
            self.add(
                _join(path, "bodyValue"),
                "an annotation must not have both 'body' and 'bodyValue'",
            )
        if "body" in node:
            self.resources(node, "body", path)
        if "bodyValue" in node:
            pair = self.single(node, "bodyValue", path)
            if pair is not None and not isinstance(pair[1], str):
                self.add(
                    pair[0], f"'bodyValue' must be a string, not {_describe(pair[1])}"
                )

        self.motivations(node, "motivation", path)
        for key in ("created", "modified", "generated"):
            self.datetimes(node, key, path)
        for key in ("creator", "generator"):
            self.agents(node, key, path)
        self.iris(node, "rights", path)
        self.iris(node, "canonical", path, one=True)
        self.iris(node, "via", path)
        self.audience(node, path)
        has_stylesheet = self.stylesheet(node, path)
        if self.style_class_path is not None and not has_stylesheet:
            self.add(
                self.style_class_path,
                "'styleClass' is used but the annotation has no 'stylesheet'",
            )

    def agents(self, node: dict, key: str, path: str) -> None:
        """creator/generator: IRIs or Agent objects."""
        if key not in node:
            return
        for where, agent in self.many(node, key, path):
            if isinstance(agent, str):
                if not is_iri(agent):
                    self.add(where, f"'{key}' must be an IRI, not {_describe(agent)}")
                continue
            if not isinstance(agent, dict):
                self.add(
                    where,
                    f"'{key}' must be an IRI or an Agent object, "
                    f"not {_describe(agent)}",
                )
                continue
            self.plain_iri(agent, "id", where)
            self.types(agent, where)
            self.texts(agent, "name", where)
            self.texts(agent, "nickname", where, one=True)
            self.texts(agent, "email_sha1", where)
            self.iris(agent, "homepage", where)
            if "email" in agent:
                for email_path, email in self.many(agent, "email", where):
                    if not (is_iri(email) and str(email).startswith("mailto:")):
                        self.add(
                            email_path,
                            f"'email' must be a mailto: IRI, not {_describe(email)}",
                        )

    def audience(self, node: dict, path: str) -> None:
        """audience: IRIs or objects describing the intended audience."""
        if "audience" not in node:
            return
        for where, value in self.many(node, "audience", path):
            if isinstance(value, dict):
                self.plain_iri(value, "id", where)
                self.types(value, where)
            elif not is_iri(value):
                self.add(
                    where,
                    f"'audience' must be an IRI or an object, not {_describe(value)}",
                )

    def stylesheet(self, node: dict, path: str) -> bool:
        """Check the stylesheet; True when the annotation has one."""
        if "stylesheet" not in node:
            return False
        pair = self.single(node, "stylesheet", path)
        if pair is None:
            return True
        where, sheet = pair
        if isinstance(sheet, dict):
            if "id" not in sheet and "value" not in sheet:
                self.add(where, "an embedded 'stylesheet' needs a 'value' (or an 'id')")
            self.plain_iri(sheet, "id", where)
            self.plain_text(sheet, "value", where)
        elif not is_iri(sheet):
            self.add(
                where,
                f"'stylesheet' must be an IRI or an object, not {_describe(sheet)}",
            )
        return True

    # -- bodies and targets -------------------------------------------------

    def resources(self, node: dict, key: str, path: str) -> None:
        """All the bodies or targets of an annotation."""
        value = node[key]
        where = _join(path, key)
        if isinstance(value, list):
            if not value and key == "target":
                self.add(where, "'target' must not be empty; give at least one")
            for index, item in enumerate(value):
                if isinstance(item, list):
                    self.add(f"{where}[{index}]", f"'{key}' must not nest lists")
                else:
                    self.resource(item, f"{where}[{index}]", key, 0)
        else:
            self.resource(value, where, key, 0)

    def resource(self, value: object, path: str, role: str, depth: int) -> None:
        """One body or target: an IRI, or an object of one of the model's kinds."""
        if depth > _MAX_DEPTH:
            self.add(path, "resources are nested too deeply")
            return
        if isinstance(value, str):
            if not is_iri(value):
                self.add(
                    path,
                    f"'{role}' must be an IRI or an object, not {_describe(value)}",
                )
            return
        if not isinstance(value, dict):
            self.add(
                path, f"'{role}' must be an IRI or an object, not {_describe(value)}"
            )
            return
        types = self.types(value, path)
        choice_types = [t for t in types if t in CHOICE_TYPES]
        if "source" in value or "SpecificResource" in types:
            self.specific_resource(value, path, depth)
        elif choice_types or "items" in value:
            self.choice(value, path, role, choice_types, depth)
        elif role == "body" and ("value" in value or "TextualBody" in types):
            self.textual_body(value, path)
        elif (
            role == "target"
            and "id" not in value
            and ("value" in value or "TextualBody" in types)
        ):
            self.add(
                path,
                "an embedded TextualBody cannot be a target; a target must be "
                "identified by an 'id' IRI",
            )
        else:
            self.web_resource(value, path, role)

    def common(self, node: dict, path: str) -> None:
        """Properties any body, target or source may have."""
        self.texts(node, "format", path)
        self.texts(node, "language", path)
        self.texts(node, "processingLanguage", path, one=True)
        if "textDirection" in node:
            pair = self.single(node, "textDirection", path)
            if pair is not None and pair[1] not in TEXT_DIRECTIONS:
                self.add(
                    pair[0],
                    f"'textDirection' must be one of {', '.join(TEXT_DIRECTIONS)}, "
                    f"not {_describe(pair[1])}",
                )
        for key in ("created", "modified", "generated"):
            self.datetimes(node, key, path)
        self.agents(node, "creator", path)
        self.agents(node, "generator", path)
        self.iris(node, "rights", path)
        self.iris(node, "canonical", path, one=True)
        self.iris(node, "via", path)
        self.audience(node, path)
        self.texts(node, "accessibility", path)

    def misplaced(self, node: dict, path: str, what: str) -> None:
        """Keys only a SpecificResource may have, found on something else."""
        for key in SPECIFIC_RESOURCE_KEYS:
            if key in node:
                self.add(
                    _join(path, key),
                    f"'{key}' belongs on a SpecificResource (an object with a "
                    f"'source'), not on {what}",
                )

    def web_resource(self, node: dict, path: str, role: str) -> None:
        """A resource that lives elsewhere, so only its IRI can identify it."""
        if "id" not in node:
            self.add(
                _join(path, "id"),
                f"'id' is missing; a {role} that is an external web resource must "
                "be identified by an IRI",
            )
        self.plain_iri(node, "id", path)
        if "purpose" in node:
            self.add(
                _join(path, "purpose"),
                "'purpose' is only allowed on a TextualBody or a SpecificResource, "
                "not on an external web resource",
            )
        self.misplaced(node, path, "an external web resource")
        self.common(node, path)

    def textual_body(self, node: dict, path: str) -> None:
        """An embedded body: the text itself in `value`, an IRI optional."""
        self.text(node, "value", path, "a TextualBody")
        self.plain_iri(node, "id", path)
        self.motivations(node, "purpose", path)
        self.misplaced(node, path, "a TextualBody")
        self.common(node, path)

    def choice(
        self, node: dict, path: str, role: str, kinds: list[str], depth: int
    ) -> None:
        """A Choice (or set): exactly one such type and a non-empty `items`."""
        where = _join(path, "type")
        if not kinds:
            self.add(
                where,
                "'items' is only allowed on a Choice, Composite, List or "
                "Independents; 'type' must name one of them",
            )
        elif len(kinds) > 1:
            self.add(
                where,
                f"'type' must name exactly one of {', '.join(CHOICE_TYPES)}, "
                f"not {', '.join(kinds)}",
            )
        kind = kinds[0] if kinds else "Choice"
        for key in ("value", "purpose"):
            if key in node:
                self.add(_join(path, key), f"a {kind} must not have '{key}'")
        where = _join(path, "items")
        items = node.get("items")
        if "items" not in node:
            self.add(where, f"'items' is missing; a {kind} must list its resources")
        elif not isinstance(items, list) or not items:
            self.add(where, f"'items' must be a non-empty list, not {_describe(items)}")
        else:
            for index, item in enumerate(items):
                if isinstance(item, list):
                    self.add(f"{where}[{index}]", "'items' must not nest lists")
                else:
                    self.resource(item, f"{where}[{index}]", role, depth + 1)
        self.plain_iri(node, "id", path)
        self.misplaced(node, path, f"a {kind}")
        self.common(node, path)

    def specific_resource(self, node: dict, path: str, depth: int) -> None:
        """A part or view of one `source`, narrowed by selectors and states."""
        where = _join(path, "source")
        if "source" not in node:
            self.add(where, "'source' is missing; a SpecificResource must have one")
        else:
            source = node["source"]
            if isinstance(source, dict):
                if "source" in source:
                    self.add(
                        where,
                        "'source' must be a web resource, not another SpecificResource",
                    )
                elif not is_iri(source.get("id")):
                    self.add(
                        _join(where, "id"),
                        "a 'source' object must be identified by an 'id' IRI",
                    )
                self.common(source, where)
            elif isinstance(source, list):
                self.add(
                    where,
                    f"'source' must be exactly one resource, not {_describe(source)}",
                )
            elif not is_iri(source):
                self.add(
                    where,
                    f"'source' must be an IRI or an object, not {_describe(source)}",
                )
        for key, instead in (("items", "a Choice"), ("value", "a TextualBody")):
            if key in node:
                self.add(
                    _join(path, key),
                    f"a SpecificResource must not have '{key}' (that belongs to "
                    f"{instead})",
                )
        self.plain_iri(node, "id", path)
        self.motivations(node, "purpose", path)
        if "selector" in node:
            for place, selector in self.many(node, "selector", path):
                self.refinement(selector, place, "selector", depth)
        if "state" in node:
            for place, state in self.many(node, "state", path):
                self.refinement(state, place, "state", depth)
        if "styleClass" in node:
            self.texts(node, "styleClass", path)
            if self.style_class_path is None:
                self.style_class_path = _join(path, "styleClass")
        if "renderedVia" in node:
            for place, via in self.many(node, "renderedVia", path):
                if isinstance(via, dict):
                    self.plain_iri(via, "id", place)
                elif not is_iri(via):
                    self.add(
                        place,
                        f"'renderedVia' must be an IRI or an object, not "
                        f"{_describe(via)}",
                    )
        self.iris(node, "scope", path)
        self.common(node, path)

    # -- selectors and states -----------------------------------------------

    def refinement(self, node: object, path: str, kind: str, depth: int) -> None:
        """A selector, a state, or (kind "refinedBy") either of them."""
        if depth > _MAX_DEPTH:
            self.add(path, "selectors are nested too deeply")
            return
        allowed = {
            "selector": SELECTOR_TYPES,
            "state": STATE_TYPES,
            "refinedBy": SELECTOR_TYPES + STATE_TYPES,
            "range end": SELECTOR_TYPES[:-1],
        }[kind]
        label = {"refinedBy": "refinement", "range end": "range end"}.get(kind, kind)
        if isinstance(node, str):
            if not is_iri(node):
                self.add(
                    path,
                    f"a {label} must be an IRI or an object, not {_describe(node)}",
                )
            return
        if not isinstance(node, dict):
            self.add(
                path, f"a {label} must be an IRI or an object, not {_describe(node)}"
            )
            return
        where = _join(path, "type")
        kind_type = node.get("type")
        if isinstance(kind_type, list):
            self.add(
                where,
                f"a {label}'s 'type' must be a single value, not "
                f"{_describe(kind_type)}",
            )
            kind_type = None
        # A selector or state may be described elsewhere and named by IRI, but
        # the ends of a RangeSelector must be selectors given in full.
        by_id = kind != "range end"
        or_id = " or an 'id'" if by_id else ""
        if kind_type not in allowed:
            if "id" in node and by_id:
                self.plain_iri(node, "id", path)
            elif kind_type is None:
                self.add(
                    where,
                    f"a {label} must have a 'type' (one of {', '.join(allowed)})"
                    f"{or_id}",
                )
            else:
                self.add(
                    where,
                    f"{_describe(kind_type)} is not a {label} type; use one of "
                    f"{', '.join(allowed)}{or_id}",
                )
        elif kind_type in ("FragmentSelector", "CssSelector", "XPathSelector"):
            self.text(node, "value", path, f"a {kind_type}")
            if kind_type == "FragmentSelector":
                self.plain_iri(node, "conformsTo", path)
        elif kind_type == "TextQuoteSelector":
            self.text(node, "exact", path, "a TextQuoteSelector")
            self.plain_text(node, "prefix", path)
            self.plain_text(node, "suffix", path)
        elif kind_type in ("TextPositionSelector", "DataPositionSelector"):
            self.positions(node, path, kind_type)
        elif kind_type == "SvgSelector":
            if ("value" in node) == ("id" in node):
                self.add(
                    path,
                    "an SvgSelector must have either a 'value' or an 'id', "
                    "not both or neither",
                )
            self.plain_text(node, "value", path)
            self.plain_iri(node, "id", path)
        elif kind_type == "RangeSelector":
            for key in ("startSelector", "endSelector"):
                place = _join(path, key)
                if key not in node:
                    self.add(
                        place, f"'{key}' is missing; a RangeSelector must have one"
                    )
                elif not isinstance(node[key], dict):
                    self.add(
                        place,
                        f"'{key}' must be one selector object, not "
                        f"{_describe(node[key])}",
                    )
                else:
                    self.refinement(node[key], place, "range end", depth + 1)
        elif kind_type == "TimeState":
            self.time_state(node, path)
        elif kind_type == "HttpRequestState":
            self.text(node, "value", path, "an HttpRequestState")
        if "refinedBy" in node:
            for place, refined in self.many(node, "refinedBy", path):
                self.refinement(refined, place, "refinedBy", depth + 1)

    def positions(self, node: dict, path: str, kind: str) -> None:
        """start/end: counts of characters or bytes, so whole and in order."""
        good = True
        for key in ("start", "end"):
            place = _join(path, key)
            if key not in node:
                self.add(place, f"'{key}' is missing; a {kind} must have one")
                good = False
            elif not _is_count(node[key]):
                self.add(
                    place,
                    f"'{key}' must be a non-negative integer, not "
                    f"{_describe(node[key])}",
                )
                good = False
        if good and node["start"] > node["end"]:
            self.add(
                _join(path, "end"),
                f"'end' ({node['end']}) must not be before 'start' ({node['start']})",
            )

    def time_state(self, node: dict, path: str) -> None:
        """A moment (sourceDate) or an interval (start and end), not both."""
        has_date = "sourceDate" in node
        has_start, has_end = "sourceDateStart" in node, "sourceDateEnd" in node
        if has_date and (has_start or has_end):
            self.add(
                path,
                "a TimeState must have 'sourceDate' or 'sourceDateStart' "
                "and 'sourceDateEnd', not both",
            )
        elif not has_date and not (has_start and has_end):
            self.add(
                path,
                "a TimeState must have 'sourceDate', or both "
                "'sourceDateStart' and 'sourceDateEnd'",
            )
        self.datetimes(node, "sourceDate", path, one=False)
        self.datetimes(node, "sourceDateStart", path)
        self.datetimes(node, "sourceDateEnd", path)
        self.iris(node, "cached", path)
