"""Every schema the API publishes has a component name of its own.

The OpenAPI document keeps one component per name (ninja merges each operation's
definitions into one dict), so two ninja ``Schema`` classes with the same name in
different apps publish one app's schema for both: clients generated from the document
then send and expect the wrong fields. This walks every model reachable from every
operation (parameters, bodies and answers, down through their fields) and fails when two
different classes would share a name. The first test proves the walk would catch one.
"""

import enum
import re
import typing

from ninja import NinjaAPI, Router, Schema
from pydantic import BaseModel


def _component_name(cls: type) -> str:
    # Pydantic names a definition after the class, with characters outside this set (the
    # brackets of a generic such as Page[ActivityOut]) replaced, as its normalize_name does.
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", cls.__name__)


def _types_in(annotation) -> typing.Iterator[type]:
    """The classes an annotation names: list[X], X | None, Annotated[X, ...], dict[str, X]."""
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, enum.Enum)):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _types_in(arg)


def _walk(model: type[BaseModel], seen: dict[str, set[type]], visited: set[type]) -> None:
    for field in model.model_fields.values():
        for cls in _types_in(field.annotation):
            seen.setdefault(_component_name(cls), set()).add(cls)
            if cls not in visited and issubclass(cls, BaseModel):
                visited.add(cls)
                _walk(cls, seen, visited)


def published_schemas(api: NinjaAPI) -> dict[str, set[type]]:
    """Component name → the classes published under it, for every operation of ``api``.
    The per-operation wrappers ninja builds (parameters, ``Response``) are inlined, not
    published, so the walk starts at their fields."""
    seen: dict[str, set[type]] = {}
    visited: set[type] = set()
    # The same routers, nested ones included, that ninja's document generator walks.
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                wrappers = list(operation.models)
                wrappers += [
                    m
                    for m in operation.response_models.values()
                    if isinstance(m, type) and issubclass(m, BaseModel)
                ]
                for wrapper in wrappers:
                    _walk(wrapper, seen, visited)
    return seen


def clashes(api: NinjaAPI) -> dict[str, list[str]]:
    return {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
        for name, classes in published_schemas(api).items()
        if len(classes) > 1
    }


def test_the_walk_catches_two_schemas_with_one_name():
    def make(field: str) -> type[Schema]:
        return type("ReasonIn", (Schema,), {"__annotations__": {field: str}})

    first, second = make("reason"), make("note")
    router = Router()

    @router.post("/a")
    def a(request, body: first):  # type: ignore[valid-type]
        return {}

    @router.post("/b", response=list[second])  # type: ignore[valid-type]
    def b(request):
        return []

    api = NinjaAPI(urls_namespace="schema-name-probe")
    api.add_router("/probe/", router)
    assert list(clashes(api)) == ["ReasonIn"]
    # ...and the document really publishes only one of them, which is the bug.
    doc = api.get_openapi_schema(path_prefix="")
    assert set(doc["components"]["schemas"]["ReasonIn"]["properties"]) in ({"reason"}, {"note"})


def test_no_two_api_schemas_share_a_component_name():
    from xinfeng.api import api

    assert clashes(api) == {}


def test_the_walk_sees_what_the_document_publishes():
    """The walk is only as good as its naming: the names it finds are exactly the
    components of the real document, so a clash cannot hide from it."""
    from xinfeng.api import api

    walked = set(published_schemas(api))
    published = set(api.get_openapi_schema()["components"]["schemas"]) - {"Error"}
    assert walked - published == set()
    assert published - walked == set()
