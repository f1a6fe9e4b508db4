"""The reseller as it appears on documents and as the sender of e-mails."""

from __future__ import annotations

from typing import Protocol

import attrs

from quote2order.errors import NotFound, ValidationError

__all__ = ["Seller", "SellerDirectory", "StaticSellerDirectory"]


@attrs.frozen
class Seller:
    """A reseller's letterhead: legal name, address, VAT id and sender address."""

    reseller_id: str
    name: str
    email: str
    address: tuple[str, ...] = ()
    vat_id: str = ""
    phone: str = ""
    website: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.name.strip() or "@" not in self.email:
            raise ValidationError(
                f"seller {self.reseller_id}: a name and an e-mail address are needed"
            )


class SellerDirectory(Protocol):
    """The host's source of resellers' letterheads."""

    def seller(self, reseller_id: str) -> Seller:
        """The letterhead of ``reseller_id``, or raise NotFound."""
        ...


class StaticSellerDirectory:
    """Sellers from a dict (tests, demos, single-reseller shops)."""

    def __init__(self, *sellers: Seller) -> None:
        self._sellers = {s.reseller_id: s for s in sellers}

    def seller(self, reseller_id: str) -> Seller:
        try:
            return self._sellers[reseller_id]
        except KeyError:
            raise NotFound("seller", reseller_id) from None
