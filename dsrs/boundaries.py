"""Synchronous calls across a context boundary, without an import: one context `provide`s a named
function, another `call`s it by name. In one process (the embedded default, the workers) it is a
function call; the name is the contract, so it can become an internal HTTP call without its callers
changing. Use it only where an event cannot do (a secret that must never travel on the broker).
"""

from collections.abc import Callable

_providers: dict[str, Callable] = {}


class NoProvider(LookupError):
    pass


def provide(name: str):
    def register(function):
        existing = _providers.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"{name!r} is already provided by {existing!r}")
        _providers[name] = function
        return function

    return register


def call(name: str, **kwargs):
    try:
        function = _providers[name]
    except KeyError:
        raise NoProvider(f"nothing provides {name!r} in this process") from None
    return function(**kwargs)
