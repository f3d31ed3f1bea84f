"""Which recipients the service accepts: its own addresses and their +tag forms, nothing else."""

from __future__ import annotations


def base_address(address: str) -> str:
    """``Intro+Tag@Tally.Example`` -> ``intro@tally.example``: the address without its tag."""
    local, at, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}{at}{domain}"


def accepts(address: str, service_addresses: tuple[str, ...]) -> bool:
    """True for a service address or its +tag form, compared case-insensitively.

    ``service_addresses`` are already normalised (lowercase) by the configuration.
    """
    return "@" in address and base_address(address) in service_addresses
