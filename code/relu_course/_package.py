"""How each subpackage presents its modules: one helper, so that every ``__init__.py`` reads the
same and lists nothing twice."""

from __future__ import annotations

import importlib


def export_modules(package: str, modules: tuple[str, ...], namespace: dict, *,
                   names_from: tuple[str, ...] | None = None) -> list[str]:
    """Import the ``modules`` of ``package`` and bind the public names (``__all__``) of those in
    ``names_from`` (default: all of them) in ``namespace``, the package's ``globals()``.

    Returns the package's ``__all__``: the module names, then the names bound. Two modules that
    export the same name are an error, so a name always means one thing.
    """
    exported: list[str] = []
    for name in modules:
        module = importlib.import_module(f"{package}.{name}")
        namespace[name] = module
        if names_from is not None and name not in names_from:
            continue
        for public in module.__all__:
            if public in namespace and namespace[public] is not getattr(module, public):
                raise ImportError(f"{package}: {public!r} is exported by two modules")
            namespace[public] = getattr(module, public)
            exported.append(public)
    return [*modules, *exported]
