"""Which recipients the service accepts: its own addresses and their +tag forms, nothing else."""

from __future__ import annotations

from intro.addresses import base_address


def accepts(address: str, service_addresses: tuple[str, ...]) -> bool:
    """True for a service address or its +tag form, compared case-insensitively.

    ``service_addresses`` are already normalised (lowercase) by the configuration.
    """
    return "@" in address and base_address(address) in service_addresses
