"""The analysis docs cannot drift: doctests run, every public function shows an example."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import kg.analysis

MODULES = sorted(f"kg.analysis.{m.name}" for m in pkgutil.iter_modules(kg.analysis.__path__))


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name: str) -> None:
    result = doctest.testmod(_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_public_functions_have_numpydoc_with_an_example(name: str) -> None:
    module = _module(name)
    for attr in getattr(module, "__all__", []):
        obj = getattr(module, attr)
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        _, found, example = doc.partition("Examples\n--------\n")
        assert found and ">>> " in example, f"{name}.{attr} has no example"
        if inspect.signature(obj).parameters:
            assert "Parameters\n----------" in doc or "Examples" in doc, f"{name}.{attr}"


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_what_the_module_defines(name: str) -> None:
    module = _module(name)
    exported = set(getattr(module, "__all__", []))
    assert exported, f"{name} has no __all__"
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names a missing {attr}"
    defined = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == name
    }
    assert defined <= exported, f"{name}: not in __all__: {sorted(defined - exported)}"


def test_package_exports_resolve() -> None:
    for attr in kg.analysis.__all__:
        assert getattr(kg.analysis, attr) is not None
