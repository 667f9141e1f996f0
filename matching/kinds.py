"""What the other side of a match is to the viewer: a customer, a supplier, a complement or a peer.

- *customer*: seeks what the viewer offers (or, with nothing named meeting, is a request
  meeting the viewer's offer: the network's own rule that BO/TO meet BR/TR/RDR first);
- *supplier*: offers what the viewer seeks (or is an offer meeting the viewer's request);
- *complement*: both offer, and what the other offers goes together with what the viewer
  offers (learned from the exchange's bids, consortia and relations, see `matching.together`);
- *peer*: offers (or seeks) what the viewer does and nothing links them: a capacity
  partner at best, a competitor at worst.

Customer and supplier are the two ends of one pair; complement and peer read the same from
both sides, so "is this pair a peer pair" is symmetric and can rank whole lists.
"""

from __future__ import annotations

import numpy as np

from .components.complementarity import coverage
from .components.counterpart import is_offer

KINDS = ("customer", "supplier", "complement", "peer")
PARTNER_KINDS = ("customer", "supplier", "complement")
COMPLEMENT_MIN = 0.2  # learned strength from which two offers count as complements


def kind_of(viewer, other, ctx) -> tuple[str, str]:
    """(kind, reason in words) of `other` for `viewer` (two ProfileFeatures)."""
    gives, _ = coverage(viewer.offered, other.sought, ctx.vocabulary)
    gets, _ = coverage(other.offered, viewer.sought, ctx.vocabulary)
    if gives > 0 or gets > 0:
        if gives > gets or (gives == gets and not is_offer(other.type)):
            return "customer", "seeks what you offer"
        return "supplier", "offers what you seek"
    if viewer.type and other.type and is_offer(viewer.type) != is_offer(other.type):
        # nothing named on either side meets: the network's offer/request rule decides
        return (
            ("supplier", "an offer meeting your request")
            if is_offer(other.type)
            else ("customer", "a request meeting your offer")
        )
    together = ctx.together
    if together is not None and viewer.offered and other.offered:
        value, _ = together.between(viewer.offered, other.offered)
        if value >= COMPLEMENT_MIN:
            return "complement", "offers what goes together with what you offer"
    return "peer", "offers what you offer" if is_offer(viewer.type or "") else "seeks what you seek"


EXCHANGE, COMPLEMENT, PEER = 0, 1, 2  # pair classes: customer/supplier, complement, peer


def pair_classes(
    components: dict[str, tuple[np.ndarray, np.ndarray]], offer_left: np.ndarray, offer_right: np.ndarray
) -> np.ndarray:
    """Each pair's class from the array components (the twin of `kind_of`, which reads the same
    class from either side): EXCHANGE (a customer and a supplier), COMPLEMENT or PEER."""
    comp, comp_ok = components["complementarity"]
    exchange = comp_ok & (comp > 0)
    typed = (offer_left >= 0) & (offer_right >= 0)
    exchange |= typed & (offer_left != offer_right)
    chain, chain_ok = components["value_chain"]
    complement = ~exchange & chain_ok & (chain >= COMPLEMENT_MIN)
    return np.where(exchange, EXCHANGE, np.where(complement, COMPLEMENT, PEER)).astype(np.int8)


CLASS_OF_KIND = {"customer": EXCHANGE, "supplier": EXCHANGE, "complement": COMPLEMENT, "peer": PEER}
