from __future__ import annotations

import importlib

from vigie.cli import main


def test_every_command_module_is_registered() -> None:
    """Each command a module lists in COMMANDS is reachable by name, and nothing else is."""
    modules = {spec.split(":")[0] for spec in main.LAZY_COMMANDS.values()}
    listed = set()
    for name in modules:
        module = importlib.import_module(f"vigie.cli.{name}")
        for command in getattr(module, "COMMANDS", [getattr(module, name, None)]):
            if command is not None:
                listed.add(command.name)
    assert listed <= set(main.LAZY_COMMANDS)
    for name in main.LAZY_COMMANDS:
        command = main.cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name
