"""The house's rooms and the direction of their doors, read from the source: every import,
at the top, inside a function or under TYPE_CHECKING, points down the ranks or stays inside
its own room; no module imports itself back through others. ARCHITECTURE.md says why."""

from __future__ import annotations

from tests.unit.import_graph import cycles, edges, module_files

# a room's rank: it may import rooms of lower rank only (and its own modules)
RANKS = {
    # the domain: leaves first
    "routing.model": 0, "routing._multimap": 0, "routing.bulk": 0, "routing.calendar": 0,
    "routing.conditions": 0, "routing.territory": 0, "routing.record_ids": 0,
    "routing.titles": 0,
    "routing.world": 1, "routing.routed": 1,
    "routing.matching": 2, "routing.bestfit": 2,
    "routing.policy": 3,
    "routing.engine": 4,
    "routing.sla": 5, "routing.replay": 5,
    "routing.ownership": 6,
    # around it
    "connectors": 10,
    "config": 11,
    # the worker
    "worker.settings": 20, "worker.logging": 20, "worker.names": 20,
    "worker.store": 21, "worker.state": 21, "worker.notify": 21,
    "worker.jobs": 22,
    "worker.bootstrap": 23,
    "worker.reports": 24,
    "worker.runtime": 25,
    "worker.console": 26,
    "worker.events": 27,
    "worker.cli": 28,
}  # fmt: skip

# what a room must never import, whatever its rank
FORBIDDEN_THIRD_PARTY = {
    "routing": {"celery", "redis", "sqlalchemy", "requests", "httpx", "typer", "rich",
                "starlette", "simple_salesforce", "hubspot", "yaml", "pydantic"},
    "config": {"celery", "redis", "sqlalchemy", "typer", "rich", "starlette"},
    "connectors": {"celery", "redis", "sqlalchemy", "typer", "rich", "starlette"},
    "worker.jobs": {"celery", "typer", "rich", "starlette", "prometheus_client", "matplotlib"},
    "worker.store": {"celery", "typer", "rich", "starlette", "redis"},
    "worker.state": {"celery", "typer", "rich", "starlette", "sqlalchemy"},
}  # fmt: skip


def room_of(module: str) -> str:
    found = [room for room in RANKS if module == room or module.startswith(room + ".")]
    assert found, f"{module} is in no room: give it a rank in RANKS"
    return max(found, key=len)


def test_every_module_is_in_a_room() -> None:
    for module in module_files():
        if module not in ("routing", "worker"):
            room_of(module)


def test_imports_point_down_the_ranks() -> None:
    against = [
        edge
        for edge in edges()
        if room_of(edge.source) != room_of(edge.target)
        and RANKS[room_of(edge.target)] >= RANKS[room_of(edge.source)]
        and edge.target not in ("routing", "worker")
    ]
    assert against == [], "\n".join(map(str, against))


def test_no_module_imports_itself_back_even_through_lazy_or_typing_imports() -> None:
    assert cycles(edges()) == []


def test_siblings_inside_a_package_import_each_other_by_their_own_path() -> None:
    """`from routing.policy.hold import X` inside routing.policy, never `from routing.policy
    import X`: a package's __init__ imports its modules, so that would half-initialise."""
    packages = _packages()
    through_init = [
        edge
        for edge in edges()
        if edge.target != edge.source
        and edge.source.startswith(edge.target + ".")
        and edge.target in packages
    ]
    assert through_init == [], "\n".join(map(str, through_init))


def test_rooms_keep_off_what_they_must_not_touch() -> None:
    import ast

    found = []
    for module, path in module_files().items():
        banned = {b for room, names in FORBIDDEN_THIRD_PARTY.items()
                  if module == room or module.startswith(room + ".") for b in names}  # fmt: skip
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )  # fmt: skip
            found += [f"{module} imports {n}" for n in names if n.split(".")[0] in banned]
    assert found == [], "\n".join(found)


def test_no_folder_holds_more_than_twenty_modules() -> None:
    folders: dict[str, int] = {}
    for path in module_files().values():
        if path.name not in ("__init__.py", "__main__.py"):
            folders[str(path.parent)] = folders.get(str(path.parent), 0) + 1
    assert {folder: n for folder, n in folders.items() if n > 20} == {}


def _packages() -> set[str]:
    return {name for name, path in module_files().items() if path.name == "__init__.py"}


def test_a_room_reaches_into_another_only_through_public_names() -> None:
    """`_private` modules and names are their package's own: another top-level package (or
    another room of worker/) imports only what has no leading underscore."""
    import ast

    reaching = []
    for module, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if not _ours(node.module) or _top_room(node.module) == _top_room(module):
                continue
            private = [p for p in node.module.split(".") if p.startswith("_")]
            private += [a.name for a in node.names if a.name.startswith("_")]
            if private:
                reaching.append(f"{module} -> {node.module}: {', '.join(private)}")
    assert reaching == [], "\n".join(reaching)


def _ours(module: str) -> bool:
    return module.split(".")[0] in ("routing", "config", "connectors", "worker")


def _top_room(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "worker" and len(parts) > 1 else parts[0]
